import { freePort } from '@vetalyze/bench/embedded-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVetalyze, type QueryEvent, type Vetalyze } from '../../src/index.js';
import { type ReplicatedPair, sqlOn, startReplicatedPair, waitFor } from '../helpers/replica.js';
import { createClinic } from '../platform/fixtures.js';

/**
 * Read replicas with read-your-writes, against a real streaming replica this
 * file starts (embedded binaries, whatever DATABASE_URL says: it stops the
 * replica on purpose). Deadlines are generous: the machine is shared.
 */

const lagBoundMs = 2_500;
let pair: ReplicatedPair;
let vz: Vetalyze;
const events: QueryEvent[] = [];
let clinicA: number;
let clinicB: number;
/** Never written through the clinic scope. */
let clinicC: number;

/** The servers that ran the statements `action` sent. */
async function serversOf(action: () => Promise<unknown>): Promise<string[]> {
  const before = events.length;
  await action();
  return events.slice(before).map((event) => event.server);
}

const listB = () => vz.forClinic(clinicB).owners.list({ limit: 5 });

/** Waits until reads of clinic B (no recent writes) run on the replica. */
async function untilBOnReplica(): Promise<void> {
  await waitFor(
    async () => (await serversOf(listB)).every((server) => server === 'replica:0'),
    60_000,
    'reads of clinic B on the replica',
  );
}

beforeAll(async () => {
  pair = await startReplicatedPair();
  const migrator = await createVetalyze({
    connectionString: pair.primary.url,
    cacheInvalidation: false,
  });
  await migrator.migrate();
  await migrator.close();
  vz = await createVetalyze({
    connectionString: pair.primary.url,
    readReplicas: [pair.replica.url],
    maxReplicaLagMs: lagBoundMs,
    replicaRetryMs: 200,
    replicaPollMs: 50,
    onQuery: (event) => events.push(event),
  });
  clinicA = (await createClinic(vz)).id;
  clinicB = (await createClinic(vz)).id;
  clinicC = (await createClinic(vz)).id;
  await vz.forClinic(clinicB).owners.create({ fullName: 'Bea Before' });
  await untilBOnReplica();
});

afterAll(async () => {
  await vz?.close();
  await pair?.stop();
});

describe('read replicas', () => {
  it('a read right after a write of the same clinic sees it, 100 times in a row', async () => {
    const scope = vz.forClinic(clinicA);
    const servers = new Set<string>();
    for (let round = 0; round < 100; round++) {
      const owner = await scope.owners.create({ fullName: `Round ${round}` });
      const readServers = await serversOf(async () => {
        const page = await scope.owners.list({ limit: 1 });
        expect(page.items[0]?.id).toBe(owner.id);
        expect((await scope.owners.get(owner.id)).fullName).toBe(`Round ${round}`);
      });
      for (const server of readServers) servers.add(server);
    }
    expect(servers.has('primary')).toBe(true);
  });

  it('serves reads of other clinics from the replica, and names the server of each statement', async () => {
    await untilBOnReplica();
    const scope = vz.forClinic(clinicA);
    for (let round = 0; round < 20; round++) {
      await scope.owners.create({ fullName: `Busy ${round}` });
      const servers = await serversOf(listB);
      // Behind by more than the bound only if the machine stalls for 2.5 s.
      expect(servers).toEqual(['replica:0']);
    }
    const writes = await serversOf(() => scope.owners.create({ fullName: 'Writer' }));
    expect(writes.every((server) => server === 'primary')).toBe(true);
  });

  it('streams an export from the replica, and from the primary right after a write', async () => {
    await untilBOnReplica();
    const names = async (clinicId: number) => {
      const seen: string[] = [];
      for await (const owner of vz.forClinic(clinicId).owners.export()) seen.push(owner.fullName);
      return seen;
    };
    expect(await serversOf(() => names(clinicB))).toEqual(['replica:0']);
    await vz.forClinic(clinicA).owners.create({ fullName: 'Exported At Once' });
    let exported: string[] = [];
    const servers = await serversOf(async () => {
      exported = await names(clinicA);
    });
    expect(exported).toContain('Exported At Once');
    expect(servers).toEqual(['primary']);
  });

  it('starts with a replica that does not answer, and reads from the primary', async () => {
    const port = await freePort();
    const seen: QueryEvent[] = [];
    const alone = await createVetalyze({
      connectionString: pair.primary.url,
      readReplicas: [`postgres://postgres:postgres@127.0.0.1:${port}/postgres`],
      cacheInvalidation: false,
      onQuery: (event) => seen.push(event),
    });
    try {
      const page = await alone.forClinic(clinicB).owners.list();
      expect(page.items.length).toBeGreaterThan(0);
      // The clinic's facts (first use on this instance) and the list.
      expect(seen.map((event) => event.server)).toEqual(['primary', 'primary']);
    } finally {
      await alone.close();
    }
  });

  it('{ primary: true } forces the primary; afterLsn waits for a position', async () => {
    await untilBOnReplica();
    expect(await serversOf(() => vz.forClinic(clinicB, { primary: true }).owners.list())).toEqual([
      'primary',
    ]);
    await vz.forClinic(clinicA).owners.create({ fullName: 'Lsn' });
    const lsn = await vz.lastWriteLsn(clinicA);
    expect(lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(await vz.lastWriteLsn(clinicC)).toBeUndefined();
    // A position far ahead of any replica: only the primary has it.
    expect(
      await serversOf(() => vz.forClinic(clinicB, { afterLsn: 'FF/0' }).owners.list()),
    ).toEqual(['primary']);
    await waitFor(
      async () =>
        (
          await serversOf(() => vz.forClinic(clinicB, { afterLsn: lsn as string }).owners.list())
        )[0] === 'replica:0',
      60_000,
      'the replica to replay the write',
    );
    await expect(vz.forClinic(clinicB, { afterLsn: 'nope' }).owners.list()).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });

  it('skips a replica paused with pg_wal_replay_pause() once it lags past the bound', async () => {
    await untilBOnReplica();
    await sqlOn(pair.replica.url, 'select pg_wal_replay_pause()');
    try {
      const scope = vz.forClinic(clinicA);
      let round = 0;
      // Writes move the primary on; the paused replica falls behind.
      await waitFor(
        async () => {
          await scope.owners.create({ fullName: `Paused ${round++}` });
          return (await serversOf(listB)).every((server) => server === 'primary');
        },
        60_000,
        'reads of clinic B to leave the paused replica',
      );
      // Every read of A sees its writes meanwhile.
      const owner = await scope.owners.create({ fullName: 'While paused' });
      expect((await scope.owners.list({ limit: 1 })).items[0]?.id).toBe(owner.id);
    } finally {
      await sqlOn(pair.replica.url, 'select pg_wal_replay_resume()');
    }
    await untilBOnReplica();
  });

  it('stopping the replica mid-test costs no failed call', async () => {
    await untilBOnReplica();
    const scope = vz.forClinic(clinicA);
    const failuresBefore = events.filter((event) => event.failed && event.server === 'primary');
    const calls: Promise<unknown>[] = [];
    let stopping: Promise<void> | undefined;
    for (let round = 0; round < 60; round++) {
      if (round === 20) stopping = pair.replica.stop();
      calls.push(listB());
      calls.push(vz.forClinic(clinicB).owners.search({ name: 'Bea' }));
      if (round % 5 === 0) calls.push(scope.owners.create({ fullName: `Stop ${round}` }));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await stopping;
    // Reads started while the replica went away, and after.
    for (let round = 0; round < 20; round++) calls.push(listB());
    const results = await Promise.allSettled(calls);
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    expect(await serversOf(listB)).toEqual(['primary']);
    const failuresAfter = events.filter((event) => event.failed && event.server === 'primary');
    expect(failuresAfter.length).toBe(failuresBefore.length);
  });
});
