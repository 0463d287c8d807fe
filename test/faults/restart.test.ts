import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedServer, startEmbeddedPostgres } from '@vetalyze/bench/embedded-postgres';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createVetalyze, migrate, type Owner, UnavailableError } from '../../src/index.js';
import { ownerRow } from '../clinic/names.js';
import { createClinic } from '../platform/fixtures.js';
import { msUntil, recordProcessErrors } from './process-errors.js';

// A server this file starts, stops and starts again: the suite's server (embedded,
// or DATABASE_URL in CI's PostgreSQL 15 run) is shared and cannot be restarted.
const processErrors = recordProcessErrors();
const directory = await mkdtemp(join(tmpdir(), 'vetalyze-restart-'));
let server: EmbeddedServer = await startEmbeddedPostgres({ directory, persistent: true });
afterAll(async () => {
  await server.stop().catch(() => {});
  await rm(directory, { recursive: true, force: true });
});
await migrate(server.url);
const vz = await createVetalyze({
  connectionString: server.url,
  poolSize: 4,
  cursorPoolSize: 1,
  connectionTimeoutMs: 2_000,
});
afterAll(() => vz.close());
const clinic = await createClinic(vz);
const scope = vz.forClinic(clinic.id);
await scope.owners.import(Array.from({ length: 2_000 }, (_, i) => ownerRow(i)));
const owner = await scope.owners.create({ fullName: 'Kept Owner', phoneNumber: '030 1234567' });

const reads = () => [
  vz.clinics.get(clinic.id),
  vz.clinics.status(clinic.id),
  scope.owners.get(owner.id),
  scope.owners.list({ limit: 5 }),
];

async function count(iterable: AsyncIterable<Owner>): Promise<number> {
  let n = 0;
  for await (const _ of iterable) n++;
  return n;
}

async function listenSessions(): Promise<number> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity where query like 'listen %'`,
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

describe('a server restart with calls in flight', () => {
  it('fails calls only with UnavailableError, loses no success, and recovers by itself', async () => {
    const failures: unknown[] = [];
    let created = 0;
    let running = true;
    const callLoop = async (withWrites: boolean) => {
      for (let i = 0; running; i++) {
        try {
          await Promise.all(reads());
          if (withWrites) {
            await scope.owners.create({ fullName: `During restart ${i}` });
            created++;
          }
        } catch (error) {
          failures.push(error);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    };
    const loops = [callLoop(true), callLoop(false), callLoop(false)];
    // An export holding the cursor connection while the server goes away.
    const iterator = scope.owners.export({ batchSize: 100 })[Symbol.asyncIterator]();
    await iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 200));

    const port = server.port;
    await server.stop();
    server = await startEmbeddedPostgres({ directory, persistent: true, port });

    const exportError = await (async () => {
      for (;;) if ((await iterator.next()).done) return undefined;
    })().catch((caught: unknown) => caught);
    expect(exportError).toBeInstanceOf(UnavailableError);

    // Back on its own: every call succeeds again, no reconnect by the caller.
    const recovered = await msUntil(async () => {
      const results = await Promise.allSettled([...reads(), ...reads()]);
      return results.every((result) => result.status === 'fulfilled');
    }, 20_000);
    expect(recovered).toBeLessThan(20_000);
    running = false;
    await Promise.all(loops);
    const results = await Promise.allSettled([...reads(), ...reads(), ...reads()]);
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);

    expect(failures.filter((error) => !(error instanceof UnavailableError))).toEqual([]);
    // Every create reported as done is stored (a failed one may or may not be).
    const { items } = await scope.owners.search({ name: 'During restart' });
    expect(items.length).toBeGreaterThanOrEqual(Math.min(created, 20));
    expect(await count(scope.owners.export())).toBeGreaterThan(2_000);
    // The cache listener listens again (back-off of at most 5 s).
    expect(await msUntil(async () => (await listenSessions()) === 1, 20_000)).toBeLessThan(20_000);
  });

  it('no uncaughtException or unhandledRejection fired', () => {
    expect(processErrors).toEqual([]);
  });
});
