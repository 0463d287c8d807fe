import { describe, expect, it } from 'vitest';
import type { Owner, QueryEvent } from '../../src/index.js';
import { TimeoutError, UnavailableError } from '../../src/index.js';
import { ownerRow } from '../clinic/names.js';
import { createTestVetalyze } from '../helpers/database.js';
import { connectAdmin, createClinic } from '../platform/fixtures.js';
import { msUntil, recordProcessErrors } from './process-errors.js';

const processErrors = recordProcessErrors();
const idleMs = 1_000;
const owners = 3_000;
// One cursor connection: an export that kept its connection would make every later one fail.
const events: QueryEvent[] = [];
const { vz, database } = await createTestVetalyze({
  onQuery: (event) => events.push(event),
  cursorPoolSize: 1,
  idleInTransactionTimeoutMs: idleMs,
  connectionTimeoutMs: 2_000,
});
const admin = await connectAdmin(database.url);
const scope = vz.forClinic((await createClinic(vz)).id);
await scope.owners.import(Array.from({ length: owners }, (_, i) => ownerRow(i)));

/** The backends serving an export right now (their last statement is the export's). */
async function exportBackends(): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(
    `select pid from pg_stat_activity
     where datname = $1 and pid <> pg_backend_pid() and query like '%pp.pets%'
       and state <> 'idle'`,
    [database.name],
  );
  return rows.map((row) => row.pid);
}

async function count(iterable: AsyncIterable<Owner>): Promise<number> {
  let n = 0;
  for await (const _ of iterable) n++;
  return n;
}

describe('an export whose connection fails', () => {
  it('rejects with UnavailableError when its backend is terminated mid-stream, and frees its slot', async () => {
    const iterator = scope.owners.export({ batchSize: 100 })[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    const [pid] = await exportBackends();
    expect(pid).toBeDefined();
    await admin.query('select pg_terminate_backend($1)', [pid]);
    const started = performance.now();
    const error = await (async () => {
      for (;;) if ((await iterator.next()).done) return undefined;
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnavailableError);
    // onQuery saw the export fail, with why: the server's SQLSTATE or the socket's code.
    const reported = events.filter((event) => event.sql.includes('pp.pets')).at(-1);
    expect(reported).toMatchObject({ failed: true });
    expect(reported?.errorCode).toMatch(/^(57P01|E[A-Z]+)$/);
    // Bounded by the round-trip limit (statementTimeoutMs, 5 s); usually milliseconds.
    expect(performance.now() - started).toBeLessThan(25_000);
    // The only cursor connection is free again.
    expect(await count(scope.owners.export())).toBe(owners);
  });

  it('loses its connection when dropped after next(), within twice idleInTransactionTimeoutMs', async () => {
    let iterator: AsyncIterator<Owner> | undefined = scope.owners
      .export({ batchSize: 100 })
      [Symbol.asyncIterator]();
    await iterator.next();
    iterator = undefined; // dropped without return()
    expect(iterator).toBeUndefined();
    // Documented bound: 2 x idleMs (2 s); 5x headroom on a loaded 2-core machine.
    const reclaimed = await msUntil(async () => (await exportBackends()).length === 0, 10 * idleMs);
    expect(reclaimed).toBeLessThan(10 * idleMs);
    expect(await count(scope.owners.export())).toBe(owners);
  });

  it('tells a consumer that comes back after the connection was reclaimed', async () => {
    const iterator = scope.owners.export({ batchSize: 100 })[Symbol.asyncIterator]();
    await iterator.next();
    await msUntil(async () => (await exportBackends()).length === 0, 10 * idleMs);
    const error = await iterator.next().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(await count(scope.owners.export())).toBe(owners);
  });

  it('no uncaughtException or unhandledRejection fired', () => {
    expect(processErrors).toEqual([]);
  });
});
