import { afterAll } from 'vitest';
import { createClinicFactsCache } from '../../src/cache/clinic-facts.js';
import { createClinicStatusCache } from '../../src/cache/clinic-status-cache.js';
import type { Context } from '../../src/context.js';
import { createDb } from '../../src/db/db.js';
import { createPgPool } from '../../src/db/pool.js';
import type { TestDatabase } from '../helpers/database.js';

/**
 * A Context built the way createVetalyze builds it, for tests that must watch
 * its pools (e.g. that an export hands its cursor connection back).
 */
export async function createTestContext(
  database: TestDatabase,
  options: { cursorPoolSize?: number; statementTimeoutMs?: number } = {},
): Promise<Context> {
  const statementTimeoutMs = options.statementTimeoutMs ?? 5_000;
  const settings = {
    connectionString: database.url,
    statementTimeoutMs,
    idleInTransactionTimeoutMs: 10_000,
    connectionTimeoutMs: 5_000,
  };
  const pool = createPgPool({ ...settings, poolSize: 4 });
  const db = createDb(pool, { validateRows: true });
  const cursorPool = createPgPool({ ...settings, poolSize: options.cursorPoolSize ?? 2 });
  afterAll(async () => {
    await Promise.all([pool.end(), cursorPool.end()]);
  });
  return {
    db,
    readDb: db,
    statusCache: createClinicStatusCache(false),
    clinicFacts: createClinicFactsCache(db),
    cursorPool,
    lookupTtlMs: 0,
  };
}
