import type pg from 'pg';
import type { ClinicFactsCache } from './cache/clinic-facts.js';
import type { ClinicStatusCache } from './cache/clinic-status-cache.js';
import type { Db } from './db/db.js';
import type { QueryEvent } from './db/query-event.js';
import type { StreamSource } from './db/replicas.js';
import type { Cursors } from './paging.js';

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
  /**
   * Where a stream may run, best first (a replica, then the primary), when
   * replicas are configured; else streams use `cursorPool` on the primary.
   */
  readonly streamSources?: () => readonly StreamSource[];
  /** How long lookup tables are served from memory, in ms. */
  readonly lookupTtlMs: number;
  /** The pools' timeouts, which streams (exports) also apply on the client side. */
  readonly timeouts: { readonly statementMs: number; readonly idleInTransactionMs: number };
  /** The `onQuery` option: statements outside the statement runner (exports) report here. */
  readonly onQuery?: ((event: QueryEvent) => void) | undefined;
  /** Signs and checks every list's cursors (one secret per `createVetalyze`). */
  readonly cursors: Cursors;
  /** How long an idempotency key is kept, in ms (`idempotencyTtlMs`). */
  readonly idempotencyTtlMs: number;
  /**
   * The `citus` option: the clinic-scope writes that PostgreSQL runs as one
   * statement with several data-modifying CTEs run as a transaction of
   * statements that Citus routes to the clinic's shard as one task each.
   */
  readonly citus: boolean;
}
