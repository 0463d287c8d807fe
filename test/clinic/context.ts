import { createClinicFactsCache } from '../../src/cache/clinic-facts.js';
import { createClinicStatusCache } from '../../src/cache/clinic-status-cache.js';
import type { Context } from '../../src/context.js';
import { createDb } from '../../src/db/db.js';
import { createCursors } from '../../src/paging.js';
import { createTestPool, type TestDatabase } from '../helpers/database.js';

/**
 * A Context built the way createVetalyze builds it, for tests that must watch
 * its pools (e.g. that an export hands its cursor connection back).
 */
export async function createTestContext(
  database: TestDatabase,
  options: { cursorPoolSize?: number; statementTimeoutMs?: number } = {},
): Promise<Context> {
  const settings = {
    statementTimeoutMs: options.statementTimeoutMs ?? 5_000,
    idleInTransactionTimeoutMs: 10_000,
    connectionTimeoutMs: 5_000,
  };
  const db = createDb(createTestPool(database, { ...settings, poolSize: 4 }), {
    validateRows: true,
  });
  const cursorPool = createTestPool(database, {
    ...settings,
    poolSize: options.cursorPoolSize ?? 2,
  });
  return {
    db,
    readDb: db,
    statusCache: createClinicStatusCache(false),
    clinicFacts: createClinicFactsCache(db),
    cursorPool,
    lookupTtlMs: 0,
    timeouts: {
      statementMs: settings.statementTimeoutMs,
      idleInTransactionMs: settings.idleInTransactionTimeoutMs,
    },
    cursors: createCursors(),
    idempotencyTtlMs: 86_400_000,
    citus: false,
  };
}
