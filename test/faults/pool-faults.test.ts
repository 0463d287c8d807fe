import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDb } from '../../src/db/db.js';
import { toVetalyzeError } from '../../src/db/map-error.js';
import { sql } from '../../src/db/sql.js';
import {
  ConflictError,
  createVetalyze,
  PoolExhaustedError,
  UnavailableError,
} from '../../src/index.js';
import { createTestPool, createTestVetalyze } from '../helpers/database.js';
import { connectAdmin, createClinic } from '../platform/fixtures.js';
import { recordProcessErrors } from './process-errors.js';

const processErrors = recordProcessErrors();
const { vz, database } = await createTestVetalyze({ poolSize: 4 });
const admin = await connectAdmin(database.url);
const clinic = await createClinic(vz);
const scope = vz.forClinic(clinic.id);
const owner = await scope.owners.create({ fullName: 'Bello Owner', phoneNumber: '030 1234567' });

describe('statement errors', () => {
  it('leave the connection in the pool: the same backend before and after a ConflictError', async () => {
    const { vz: single } = await createTestVetalyze({ poolSize: 1 });
    const backendPid = () =>
      single.withConnection(
        async (connection) =>
          (await connection.query({ text: 'select pg_backend_pid() as pid' })).rows[0]?.pid,
      );
    const user = { email: 'twice@example.com', fullName: 'Twice', role: 'doctor' } as const;
    await single.users.create(user);
    const before = await backendPid();
    await expect(single.users.create(user)).rejects.toBeInstanceOf(ConflictError);
    expect(await backendPid()).toBe(before);
  });
});

describe('dead pooled connections', () => {
  const reads = () => [
    vz.clinics.get(clinic.id),
    vz.clinics.status(clinic.id),
    vz.clinics.list({ limit: 5 }),
    scope.owners.get(owner.id),
    scope.owners.list({ limit: 5 }),
    scope.owners.search({ phone: '030 123' }),
  ];

  it('are never lent: every call right after all idle backends are terminated succeeds', async () => {
    for (let round = 0; round < 5; round++) {
      // Fill the pool: four connections, all idle afterwards.
      await Promise.all([...reads(), ...reads()]);
      await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
         where datname = $1 and pid <> pg_backend_pid() and state = 'idle'`,
        [database.name],
      );
      const results = await Promise.allSettled([...reads(), ...reads(), ...reads()]);
      expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    }
  });

  it('a write on one is not retried: it succeeds, or fails with UnavailableError', async () => {
    await Promise.all([...reads(), ...reads()]);
    await admin.query(
      `select pg_terminate_backend(pid) from pg_stat_activity
       where datname = $1 and pid <> pg_backend_pid() and state = 'idle'`,
      [database.name],
    );
    const names = Array.from({ length: 8 }, (_, i) => `Write ${i}`);
    const results = await Promise.allSettled(
      names.map((fullName) => scope.owners.create({ fullName })),
    );
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(UnavailableError);
    }
    const { rows } = await admin.query<{ n: number }>(
      `select count(*)::int as n from owners where clinic_id = $1 and full_name like 'Write %'`,
      [clinic.id],
    );
    // Each write happened at most once; every reported success is stored.
    const succeeded = results.filter((result) => result.status === 'fulfilled').length;
    expect(rows[0]?.n).toBeGreaterThanOrEqual(succeeded);
    expect(rows[0]?.n).toBeLessThanOrEqual(names.length);
  });
});

describe('one rule for connection failures', () => {
  it('a pool that cannot lend a connection in time is PoolExhaustedError, an UnavailableError', async () => {
    const db = createDb(createTestPool(database, { poolSize: 1, connectionTimeoutMs: 300 }), {
      validateRows: false,
    });
    const one = sql.type(z.object({ n: z.number() }))`select 1 as n`;
    const error = await db.transaction(() => db.one(one)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PoolExhaustedError);
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({ code: 'POOL_EXHAUSTED' });
  });

  it('a refused connection and a reset one are UnavailableError', async () => {
    const resetting = createServer((socket) => socket.resetAndDestroy());
    await new Promise<void>((resolve) => resetting.listen(0, '127.0.0.1', resolve));
    afterAll(() => new Promise<void>((resolve) => resetting.close(() => resolve())));
    const address = resetting.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const reset = await createVetalyze({
      connectionString: `postgres://x:y@127.0.0.1:${port}/db`,
    }).catch((caught: unknown) => caught);
    expect(reset).toBeInstanceOf(UnavailableError);
    expect(String((reset as Error).cause)).toMatch(/ECONNRESET/);

    const refused = await createVetalyze({
      connectionString: 'postgres://x:y@127.0.0.1:1/db',
    }).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(UnavailableError);
  });

  it('socket errors by code, whatever their message, and 57P01-57P03 are UnavailableError', () => {
    const socketError = (message: string, code: string) =>
      Object.assign(new Error(message), { code });
    for (const error of [
      socketError('read ECONNRESET', 'ECONNRESET'),
      socketError('write EPIPE', 'EPIPE'),
      socketError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      socketError('terminating connection due to administrator command', '57P01'),
      socketError('terminating connection because of crash of another server process', '57P02'),
      socketError('the database system is shutting down', '57P03'),
      new Error('Connection terminated unexpectedly'),
    ]) {
      expect(toVetalyzeError(error), error.message).toBeInstanceOf(UnavailableError);
    }
  });

  it('no uncaughtException or unhandledRejection fired', () => {
    expect(processErrors).toEqual([]);
  });
});
