import type pg from 'pg';
import type { ClinicFactsCache } from './cache/clinic-facts.js';
import type { ClinicStatusCache } from './cache/clinic-status-cache.js';
import type { Db } from './db/db.js';

/** What every repository is built from; made once per `createVetalyze`. */
export interface Context {
  /** The primary: every write and every read that must see the caller's own writes. */
  readonly db: Db;
  /** A read replica when configured (round robin), else the primary: lists, searches, exports. */
  readonly readDb: Db;
  readonly statusCache: ClinicStatusCache;
  readonly clinicFacts: ClinicFactsCache;
  /** A separate pool on the read URL for pg-cursor streams (exports), so a slow reader never holds a connection lists need. */
  readonly cursorPool: pg.Pool;
  /** How long lookup tables are served from memory, in ms. */
  readonly lookupTtlMs: number;
}
