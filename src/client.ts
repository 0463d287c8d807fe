import type pg from 'pg';
import { z } from 'zod';
import { createClinicFactsCache } from './cache/clinic-facts.js';
import { createClinicStatusCache, type StatusCacheOptions } from './cache/clinic-status-cache.js';
import {
  type InvalidationListener,
  startInvalidationListener,
} from './cache/invalidation-listener.js';
import { type ClinicScope, createClinicScope } from './clinic/scope.js';
import type { Context } from './context.js';
import { createDb } from './db/db.js';
import { isConnectionFailure, toVetalyzeError } from './db/map-error.js';
import { type MigrationResult, migrate } from './db/migrate.js';
import {
  borrowClient,
  checkConnection,
  createPgPool,
  type PoolSsl,
  trackBackends,
} from './db/pool.js';
import type { QueryEvent, SlowQueryEvent } from './db/query-event.js';
import { createReadRouter, type ReadOptions, type ReadRouter, type Server } from './db/replicas.js';
import { createCursors } from './paging.js';
import { type ClinicsRepository, createClinicsRepository } from './platform/clinics.js';
import { createLookupsRepository, type LookupsRepository } from './platform/lookups.js';
import {
  createSubscriptionsRepository,
  type SubscriptionsRepository,
} from './platform/subscriptions.js';
import { createUsersRepository, type UsersRepository } from './platform/users.js';
import { parseInput } from './validation.js';

/** Options of {@link createVetalyze}. Only `connectionString` is required. */
export interface VetalyzeOptions {
  /** PostgreSQL URL of the primary, e.g. `postgres://app:secret@db:5432/vetalyze`. */
  connectionString: string;
  /**
   * URLs of streaming replicas. Lists, searches, details, exports and lookups
   * go to them in turn, except a clinic's reads right after this instance wrote
   * for it (read-your-writes, docs/scaling-out.md). A replica that is down or
   * lags is skipped: its reads run on the primary. @default []
   */
  readReplicas?: string[];
  /**
   * After a write, how long at most that clinic's reads stay on the primary
   * while no replica has replayed the write, in ms. @default 2000
   */
  readYourWritesMs?: number;
  /** A replica that lags the primary by more than this many ms is skipped. @default 1000 */
  maxReplicaLagMs?: number;
  /** First back-off before a failed replica is tried again, in ms; doubles to 30 s. @default 1000 */
  replicaRetryMs?: number;
  /** How often each replica's replay position is read, in ms (one tiny statement per server). @default 100 */
  replicaPollMs?: number;
  /** Connections per pool (primary and each replica). @default 10 */
  poolSize?: number;
  /** The server cancels a statement after this many ms (TimeoutError). @default 5000 */
  statementTimeoutMs?: number;
  /** The server ends a session idle inside a transaction after this many ms. @default 10000 */
  idleInTransactionTimeoutMs?: number;
  /** Waiting for a new connection fails after this many ms (UnavailableError). @default 5000 */
  connectionTimeoutMs?: number;
  /** Connections for streamed exports (pg-cursor), on the first replica or the primary. @default 2 */
  cursorPoolSize?: number;
  /** Clinic-status cache settings, or `false` to always ask the database. @default { max: 10000, ttlMs: 300000 } */
  statusCache?: StatusCacheOptions | false;
  /** How long lookup tables are served from memory, in ms. @default 3600000 (1 hour) */
  lookupTtlMs?: number;
  /**
   * How long a clinic's facts (existence, country calling code) are served from
   * memory, in ms: the backstop for a missed change notice. @default 300000 (5 minutes)
   */
  clinicFactsTtlMs?: number;
  /**
   * Cross-instance cache invalidation: one more connection LISTENs for clinics
   * whose status or country changed through any instance, and drops them from
   * this instance's caches (within about a second). LISTEN needs a session:
   * behind a transaction-pooling proxy give a `connectionString` that reaches
   * the primary directly, or `false` and rely on the caches' TTLs
   * (docs/scaling-out.md). @default { connectionString: the primary's }
   */
  cacheInvalidation?: { connectionString?: string } | false;
  /** Called after every statement with its SQL, values, duration and server. @default none */
  onQuery?: (event: QueryEvent) => void;
  /** Called after every statement that took `slowQueryMs` or longer, without its values. @default none */
  onSlowQuery?: (event: SlowQueryEvent) => void;
  /** The threshold of `onSlowQuery`, in ms (the seed monitors statements over 100 ms). @default 100 */
  slowQueryMs?: number;
  /** Check every result row against its zod schema. @default true unless NODE_ENV is 'production' */
  validateRows?: boolean;
  /**
   * Secret (at least 32 bytes or characters) that signs list cursors. Give every
   * app instance the same one so each accepts the others' cursors.
   * @default 32 random bytes per createVetalyze (cursors work only on the instance that made them)
   */
  cursorSecret?: string | Uint8Array;
  /** TLS to every server (primary, replicas, listener): `true` or tls.connect options. @default none (as in the URL, e.g. `?sslmode=require`) */
  ssl?: PoolSsl;
  /** Shown in pg_stat_activity and the server's logs. @default 'vetalyze' */
  applicationName?: string;
  /**
   * How long an idempotency key is kept, in ms: a retry with the key within
   * this time returns the first call's result; after it, the key is free again
   * and a call with it writes anew (docs/clinic-api.md, "Idempotency keys").
   * @default 86400000 (24 hours)
   */
  idempotencyTtlMs?: number;
  /**
   * The database is a Citus coordinator migrated with `migrate({ citus: true })`
   * (docs/scaling-out.md, "Citus"). The library then sends each page's size as
   * `limit $n` instead of `limit (select $n)`: Citus refuses a subquery in
   * LIMIT in a query over every shard ("subquery in LIMIT is not supported in
   * multi-shard queries"), which every `clinics.list`, `subscriptions.list`,
   * `listActive` and `groups` page is, and pushes a plain LIMIT down to each
   * shard. And each clinic-scope write that PostgreSQL runs as one statement
   * with several data-modifying CTEs (Citus 13 plans each such CTE on its
   * own: 4 to 9 tasks) runs as a transaction of statements that Citus routes
   * to the clinic's shard as one task each: `owners.create`, `owners.import`,
   * `pets.add`, `staff.add` with a new account. Results and errors are the
   * same (CI runs this mode on PostgreSQL and compares); a write costs more
   * round trips. On plain PostgreSQL leave it off: the subquery keeps the
   * server on its generic plans, and one statement is one round trip.
   * @default false
   */
  citus?: boolean;
}

const sslSchema = z.union([
  z.boolean(),
  z.strictObject({
    rejectUnauthorized: z.boolean().optional(),
    ca: z.union([z.string(), z.array(z.string())]).optional(),
    cert: z.string().optional(),
    key: z.string().optional(),
    servername: z.string().optional(),
  }),
]);

// Strict: a misspelt or unsupported option (e.g. `poolsize`) is a ValidationError, never ignored.
const optionsSchema = z.strictObject({
  connectionString: z.string().min(1),
  readReplicas: z.array(z.string().min(1)).default([]),
  readYourWritesMs: z.number().int().nonnegative().default(2_000),
  maxReplicaLagMs: z.number().int().positive().default(1_000),
  replicaRetryMs: z.number().int().positive().default(1_000),
  replicaPollMs: z.number().int().positive().default(100),
  poolSize: z.number().int().min(1).max(1000).default(10),
  statementTimeoutMs: z.number().int().positive().default(5_000),
  idleInTransactionTimeoutMs: z.number().int().positive().default(10_000),
  connectionTimeoutMs: z.number().int().positive().default(5_000),
  cursorPoolSize: z.number().int().min(1).max(100).default(2),
  statusCache: z
    .union([
      z.literal(false),
      z.strictObject({
        max: z.number().int().positive().optional(),
        ttlMs: z.number().int().positive().optional(),
      }),
    ])
    .default({}),
  lookupTtlMs: z.number().int().nonnegative().default(3_600_000),
  clinicFactsTtlMs: z.number().int().positive().default(300_000),
  cacheInvalidation: z
    .union([z.literal(false), z.strictObject({ connectionString: z.string().min(1).optional() })])
    .default({}),
  onQuery: z.custom<(event: QueryEvent) => void>((value) => typeof value === 'function').optional(),
  onSlowQuery: z
    .custom<(event: SlowQueryEvent) => void>((value) => typeof value === 'function')
    .optional(),
  slowQueryMs: z.number().nonnegative().default(100),
  validateRows: z.boolean().default(process.env.NODE_ENV !== 'production'),
  cursorSecret: z
    .union([z.string().min(32), z.instanceof(Uint8Array).refine((bytes) => bytes.length >= 32)])
    .optional(),
  ssl: sslSchema.optional(),
  applicationName: z.string().min(1).max(63).default('vetalyze'),
  // At most 100 years: the expiry stays a valid timestamp.
  idempotencyTtlMs: z.number().int().positive().max(3_155_760_000_000).default(86_400_000),
  citus: z.boolean().default(false),
});

/** The data layer: operator-scope repositories, the clinic scope, migrations. */
export interface Vetalyze {
  /** Countries, pet types, subscription types, payment methods; cached in memory. */
  readonly lookups: LookupsRepository;
  /** Staff accounts: create, get, verify a password, deactivate. */
  readonly users: UsersRepository;
  /** Clinics (the tenants): create with the owner's account, get, update, list, status. */
  readonly clinics: ClinicsRepository;
  /** Subscriptions the platform sells to clinics, and their state machine. */
  readonly subscriptions: SubscriptionsRepository;
  /**
   * A scope in which every statement is confined to one clinic. Cheap: make one
   * per request. `options` chooses where its reads run when replicas are
   * configured: `{ primary: true }` forces the primary, `{ afterLsn }` waits for
   * another instance's write (see {@link Vetalyze.lastWriteLsn}).
   */
  forClinic(clinicId: number, options?: ReadOptions): ClinicScope;
  /**
   * The WAL position (`'0/3000060'`) of this instance's last write for the
   * clinic within `readYourWritesMs`, or undefined (none, or no replicas). Pass
   * it with the next request so another instance reads with
   * `vz.forClinic(id, { afterLsn })` and sees the write.
   */
  lastWriteLsn(clinicId: number): Promise<string | undefined>;
  /**
   * Applies pending migrations from the package's sql/ folder (see `migrate`);
   * `{ citus: true }` also distributes the schema on a Citus coordinator
   * (docs/scaling-out.md, "Citus").
   */
  migrate(options?: { readonly citus?: boolean }): Promise<MigrationResult>;
  /** Ends every pool; waits for running statements. */
  close(): Promise<void>;
  /**
   * For diagnostics and benchmarks: runs `use` on a connection of the primary
   * pool (the one the library's next statement would get), then gives it back.
   * `use` must leave no session state behind (no SET, open transaction or temp
   * table): the library relies on clean sessions. The harness replays the
   * library's own statements through it, so library and raw run on one backend.
   */
  withConnection<Result>(
    use: (connection: DiagnosticConnection) => Promise<Result>,
  ): Promise<Result>;
}

/** A pooled connection lent by {@link Vetalyze.withConnection}: node-postgres' query, narrowed. */
export interface DiagnosticConnection {
  /** Sends one statement; with `name`, prepared once per connection under that name. */
  query(statement: {
    text: string;
    values?: unknown[];
    name?: string;
  }): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}

/**
 * Connects the data layer: opens one connection to the primary, so a wrong
 * URL fails here (UnavailableError), and reads each replica's position once (a
 * replica that does not answer is skipped, not fatal). Call `close()` at shutdown.
 *
 * @example
 * const vz = await createVetalyze({ connectionString: process.env.DATABASE_URL! });
 * await vz.migrate();
 * const clinic = vz.forClinic(42);
 * const page = await clinic.owners.list({ limit: 20 });
 */
export async function createVetalyze(options: VetalyzeOptions): Promise<Vetalyze> {
  const settings = parseInput(optionsSchema, options);
  const urls = [settings.connectionString, ...settings.readReplicas];
  const pools = urls.map((connectionString) => createPgPool({ ...settings, connectionString }));
  // One cursor pool per server; a pool opens no connection until an export runs.
  const cursorPools = urls.map((connectionString) =>
    createPgPool({ ...settings, connectionString, poolSize: settings.cursorPoolSize }),
  );
  const cursorPool = cursorPools[0] as pg.Pool;
  const allPools = [...pools, ...cursorPools];
  // Backends of this instance's pools: their notices are echoes of its own writes.
  const ownBackends = new Set<number>();
  for (const pool of allPools)
    trackBackends(pool, (pid, added) => (added ? ownBackends.add(pid) : ownBackends.delete(pid)));
  try {
    // The primary only: a replica that is down is skipped, not fatal.
    await checkConnection(pools[0] as pg.Pool);
  } catch (error) {
    await Promise.all(allPools.map((pool) => pool.end()));
    throw error;
  }
  const servers = pools.map((pool, index) => {
    const name = index === 0 ? 'primary' : `replica:${index - 1}`;
    const db = createDb(pool, { ...settings, server: name });
    return { db, pool, cursorPool: cursorPools[index] as pg.Pool, name };
  });
  const [primaryServer, ...replicaServers] = servers as [Server, ...Server[]];
  const primary = primaryServer.db;
  const router =
    replicaServers.length > 0
      ? createReadRouter(primaryServer, replicaServers, settings)
      : undefined;
  await router?.refresh();
  const statusCache = createClinicStatusCache(settings.statusCache);
  const clinicFacts = createClinicFactsCache(primary, { ttlMs: settings.clinicFactsTtlMs });
  let listener: InvalidationListener | undefined;
  if (settings.cacheInvalidation !== false) {
    listener = await startInvalidationListener(
      {
        connectionString: settings.cacheInvalidation.connectionString ?? settings.connectionString,
        connectionTimeoutMs: settings.connectionTimeoutMs,
        ssl: settings.ssl,
        applicationName: settings.applicationName,
      },
      {
        sentByThisInstance: (pid) => ownBackends.has(pid),
        status: (clinicId) => statusCache.invalidate(clinicId),
        facts: (clinicId) => clinicFacts.invalidate(clinicId),
        gap: () => {
          statusCache.clear();
          clinicFacts.clear();
        },
      },
    ).catch(async (error: unknown) => {
      router?.close();
      await Promise.all(allPools.map((pool) => pool.end()));
      throw error;
    });
  }
  const context: Context = {
    db: router?.writer('platform') ?? primary,
    readDb: router?.reader('platform') ?? primary,
    statusCache,
    clinicFacts,
    cursorPool,
    lookupTtlMs: settings.lookupTtlMs,
    timeouts: {
      statementMs: settings.statementTimeoutMs,
      idleInTransactionMs: settings.idleInTransactionTimeoutMs,
    },
    onQuery: settings.onQuery,
    cursors: createCursors(settings.cursorSecret),
    idempotencyTtlMs: settings.idempotencyTtlMs,
    citus: settings.citus,
  };
  const vz: Vetalyze = {
    lookups: createLookupsRepository(context),
    users: createUsersRepository(context),
    clinics: createClinicsRepository(context),
    subscriptions: createSubscriptionsRepository(context),
    forClinic: (clinicId, readOptions) =>
      createClinicScope(
        router ? routed(context, router, clinicId, readOptions) : context,
        clinicId,
      ),
    lastWriteLsn: async (clinicId) => router?.lastWriteLsn(clinicId),
    migrate: (options) =>
      options?.citus
        ? migrate(settings.connectionString, { citus: true })
        : migrate(settings.connectionString),
    close: async () => {
      // Idle connections are unref'd (allowExitOnIdle), so nothing else would keep
      // the process alive until they have ended: an awaited close() never settled
      // (ESM: "unsettled top-level await", exit code 13).
      const keepAlive = setInterval(() => {}, 60_000);
      try {
        router?.close();
        await listener?.close();
        await Promise.all(allPools.map((pool) => pool.end()));
      } finally {
        clearInterval(keepAlive);
      }
    },
    withConnection: async (use) => {
      const client = await borrowClient(pools[0] as pg.Pool).catch((error: unknown) => {
        throw toVetalyzeError(error);
      });
      let failure: unknown;
      try {
        return await use(client);
      } catch (error) {
        failure = error;
        throw error;
      } finally {
        // Only a connection-level failure costs the connection (as in the statement runner).
        client.release(isConnectionFailure(failure) ? (failure as Error) : undefined);
      }
    },
  };
  return vz;
}

/** The clinic's statements through the router: its writes pin its reads (see src/db/replicas.ts). */
function routed(
  context: Context,
  router: ReadRouter,
  clinicId: number,
  options: ReadOptions | undefined,
): Context {
  return {
    ...context,
    db: router.writer(clinicId),
    readDb: router.reader(clinicId, options),
    streamSources: () => router.streamSources(clinicId, options),
  };
}
