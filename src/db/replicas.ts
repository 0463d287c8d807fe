/**
 * Read replicas with read-your-writes. Reads that may be slightly stale go to
 * a streaming replica; writes and transactions to the primary. After this
 * instance writes for a key (a clinic id, or 'platform'), that key's reads go
 * to the primary until a replica has replayed the write's WAL position, for at
 * most `readYourWritesMs`. Replicas that are down or lag are skipped.
 *
 * What each read costs: nothing extra. The replicas' replay positions are
 * refreshed by one timer (one tiny statement per server every `pollMs`), and a
 * write costs one `pg_current_wal_insert_lsn()` on the primary, sent after the
 * write and shared by every write that finished in the same tick.
 */
import type pg from 'pg';
import { PoolExhaustedError, UnavailableError, ValidationError } from '../errors.js';
import { type Db, isReadOnly, type Queries } from './db.js';

/** Which server runs a clinic's reads, given once per `vz.forClinic(id, options)`. */
export interface ReadOptions {
  /** Every read of this scope on the primary (e.g. right before a write that depends on it). @default false */
  primary?: boolean;
  /**
   * A WAL position (`'0/3000060'`, from `vz.lastWriteLsn` on another instance):
   * reads go to a replica only once it has replayed this far, else to the primary.
   * A malformed one fails the scope's reads with ValidationError (`afterLsn`).
   */
  afterLsn?: string;
}

/** Settings of the router; the defaults are in `VetalyzeOptions`. */
export interface ReplicaSettings {
  readonly readYourWritesMs: number;
  readonly maxReplicaLagMs: number;
  readonly replicaRetryMs: number;
  readonly replicaPollMs: number;
}

/** One server: its statement runner, its pools, its name in `onQuery` events. */
export interface Server {
  readonly db: Db;
  readonly pool: pg.Pool;
  readonly cursorPool: pg.Pool;
  /** 'primary' or 'replica:N' (N from 0, in `readReplicas` order). */
  readonly name: string;
}

/** A pool for a pg-cursor stream and the server it is on. */
export interface StreamSource {
  readonly pool: pg.Pool;
  readonly server: string;
}

/** Whose writes pin reads to the primary: a clinic id, or the operator scope. */
export type RouteKey = number | 'platform';

/** Routes statements between the primary and the replicas (see the file's comment). */
export interface ReadRouter {
  /** The primary, noting every write (a statement that may change data, any transaction) for `key`. */
  writer(key: RouteKey): Db;
  /** Reads of `key` on a replica that has replayed `key`'s last write, else on the primary. */
  reader(key: RouteKey, options?: ReadOptions): Db;
  /** Where a stream of `key` may run, best first (the primary last). */
  streamSources(key: RouteKey, options?: ReadOptions): readonly StreamSource[];
  /** The WAL position of this instance's last write for `key` within `readYourWritesMs`, as `'X/Y'`. */
  lastWriteLsn(key: RouteKey): Promise<string | undefined>;
  /** Reads every replica's position once; resolves when done (failures mark replicas down). */
  refresh(): Promise<void>;
  /** Stops the timer. */
  close(): void;
}

/** '16/B374D848' -> 0x16B374D848. */
export function parseLsn(text: string): bigint {
  const match = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(text);
  if (!match)
    throw new ValidationError([
      { field: 'afterLsn', message: 'must be a WAL position like 0/3000060' },
    ]);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/** 0x16B374D848 -> '16/B374D848', as PostgreSQL prints it. */
export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** A write of one key: reads stay on the primary until a replica reaches `lsn`, or `until`. */
interface Pin {
  lsn: bigint | undefined;
  readonly until: number;
  readonly known: Promise<bigint | undefined>;
}

interface ReplicaState {
  readonly server: Server;
  up: boolean;
  /** Last replayed WAL position seen. */
  replayed: bigint;
  /** Latest primary sample time whose position the replica had replayed: lag = now - this. */
  caughtUpAt: number;
  failures: number;
  retryAt: number;
}

/** Longest back-off between two tries of a failed replica. */
const maxBackoffMs = 30_000;
/** Primary positions kept for lag estimates: 200 x 100 ms polls = 20 s of history. */
const historySize = 200;

// The insert position, not pg_current_wal_lsn() (the write position): with
// synchronous_commit = off a commit returns before its record is written, so
// the write position can be behind it. The insert position never is.
const primaryLsnText = 'select pg_current_wal_insert_lsn()::text as lsn';
// A server that is not (or no longer) in recovery reports its own position.
const replayLsnText = `select (case when pg_is_in_recovery() then pg_last_wal_replay_lsn()
  else pg_current_wal_insert_lsn() end)::text as lsn`;

async function lsnOf(pool: pg.Pool, text: string): Promise<bigint> {
  const { rows } = await pool.query<{ lsn: string | null }>(text);
  const lsn = rows[0]?.lsn;
  // A standby that has replayed nothing yet reports null.
  return lsn ? parseLsn(lsn) : 0n;
}

/** Connection failures mean the replica is down; a full pool only that it is busy. */
function isUnavailable(error: unknown): boolean {
  return error instanceof UnavailableError;
}

/**
 * Starts routing: polls each replica's replay position every `replicaPollMs`
 * (the timer does not keep the process alive). Call `refresh()` once before
 * the first read so replicas are used from the start.
 */
export function createReadRouter(
  primary: Server,
  replicas: readonly Server[],
  settings: ReplicaSettings,
  clock: () => number = Date.now,
): ReadRouter {
  const states: ReplicaState[] = replicas.map((server) => ({
    server,
    up: false,
    replayed: 0n,
    caughtUpAt: 0,
    failures: 0,
    retryAt: 0,
  }));
  const pins = new Map<RouteKey, Pin>();
  const history: { at: number; lsn: bigint }[] = [];
  let turn = 0;

  // Writes that finish in the same tick share one position statement, sent
  // after all of them, so its answer covers each.
  let batch: Promise<bigint> | undefined;
  const currentLsn = (): Promise<bigint> => {
    batch ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      batch = undefined;
      return lsnOf(primary.pool, primaryLsnText);
    });
    return batch;
  };

  const noteWrite = (key: RouteKey) => {
    if (states.length === 0) return;
    const pin: Pin = {
      lsn: undefined,
      until: clock() + settings.readYourWritesMs,
      // A failed position statement leaves the pin unknown: primary until `until`.
      known: currentLsn().then(
        (lsn) => {
          pin.lsn = lsn;
          return lsn;
        },
        () => undefined,
      ),
    };
    pins.set(key, pin);
  };

  const livePin = (key: RouteKey): Pin | undefined => {
    const pin = pins.get(key);
    if (pin && pin.until <= clock()) {
      pins.delete(key);
      return undefined;
    }
    return pin;
  };

  const markDown = (state: ReplicaState) => {
    state.up = false;
    state.failures++;
    state.retryAt =
      clock() + Math.min(settings.replicaRetryMs * 2 ** (state.failures - 1), maxBackoffMs);
  };

  /** A replica that may serve `key` now, round robin; undefined means the primary. */
  const choose = (key: RouteKey, options: ReadOptions | undefined): ReplicaState | undefined => {
    if (options?.primary || states.length === 0) return undefined;
    let needed = options?.afterLsn === undefined ? 0n : parseLsn(options.afterLsn);
    const pin = livePin(key);
    if (pin) {
      if (pin.lsn === undefined) return undefined;
      if (pin.lsn > needed) needed = pin.lsn;
    }
    const now = clock();
    for (let step = 0; step < states.length; step++) {
      const state = states[(turn + step) % states.length] as ReplicaState;
      if (!state.up || now - state.caughtUpAt > settings.maxReplicaLagMs) continue;
      if (state.replayed < needed) continue;
      turn = (turn + step + 1) % states.length;
      return state;
    }
    return undefined;
  };

  const reader = (key: RouteKey, options?: ReadOptions): Db => {
    const run = async <Result>(call: (db: Queries) => Promise<Result>): Promise<Result> => {
      const state = choose(key, options);
      if (!state) return call(primary.db);
      try {
        return await call(state.server.db);
      } catch (error) {
        // A replica that fails the connection is skipped until its back-off
        // ends; the read runs on the primary and the caller sees no error.
        if (!isUnavailable(error)) throw error;
        if (!(error instanceof PoolExhaustedError)) markDown(state);
        return call(primary.db);
      }
    };
    return {
      one: (statement) => run((db) => db.one(statement)),
      maybeOne: (statement) => run((db) => db.maybeOne(statement)),
      any: (statement) => run((db) => db.any(statement)),
      oneFirst: (statement) => run((db) => db.oneFirst(statement)),
      maybeOneFirst: (statement) => run((db) => db.maybeOneFirst(statement)),
      query: (statement) => run((db) => db.query(statement)),
      transaction: (handler) => primary.db.transaction(handler),
      checksRows: primary.db.checksRows,
    };
  };

  const writer = (key: RouteKey): Db => {
    const { db } = primary;
    const noted = <Result>(text: string, promise: Promise<Result>) =>
      isReadOnly(text) ? promise : promise.finally(() => noteWrite(key));
    return {
      one: (statement) => noted(statement.sql, db.one(statement)),
      maybeOne: (statement) => noted(statement.sql, db.maybeOne(statement)),
      any: (statement) => noted(statement.sql, db.any(statement)),
      oneFirst: (statement) => noted(statement.sql, db.oneFirst(statement)),
      maybeOneFirst: (statement) => noted(statement.sql, db.maybeOneFirst(statement)),
      query: (statement) => noted(statement.sql, db.query(statement)),
      transaction: (handler) => db.transaction(handler).finally(() => noteWrite(key)),
      checksRows: db.checksRows,
    };
  };

  const caughtUpAt = (replayed: bigint): number | undefined => {
    for (let index = history.length - 1; index >= 0; index--) {
      const sample = history[index] as { at: number; lsn: bigint };
      if (sample.lsn <= replayed) return sample.at;
    }
    return undefined;
  };

  let polling: Promise<void> | undefined;
  const poll = async () => {
    const now = clock();
    const due = states.filter((state) => state.up || now >= state.retryAt);
    const [primaryLsn, ...replayed] = await Promise.allSettled([
      lsnOf(primary.pool, primaryLsnText),
      ...due.map((state) => lsnOf(state.server.pool, replayLsnText)),
    ]);
    if (primaryLsn?.status === 'fulfilled') {
      history.push({ at: now, lsn: primaryLsn.value });
      if (history.length > historySize) history.shift();
    }
    due.forEach((state, index) => {
      const result = replayed[index];
      if (result?.status !== 'fulfilled') {
        markDown(state);
        return;
      }
      state.up = true;
      state.failures = 0;
      state.replayed = result.value;
      state.caughtUpAt = caughtUpAt(result.value) ?? state.caughtUpAt;
    });
    for (const [key, pin] of pins) if (pin.until <= now) pins.delete(key);
  };
  const refresh = (): Promise<void> => {
    polling ??= poll().finally(() => {
      polling = undefined;
    });
    return polling;
  };
  const timer =
    states.length > 0 ? setInterval(() => void refresh(), settings.replicaPollMs) : undefined;
  timer?.unref();

  const primarySource: StreamSource = { pool: primary.cursorPool, server: primary.name };
  return {
    writer,
    reader,
    streamSources: (key, options) => {
      const state = choose(key, options);
      return state
        ? [{ pool: state.server.cursorPool, server: state.server.name }, primarySource]
        : [primarySource];
    },
    lastWriteLsn: async (key) => {
      const lsn = await livePin(key)?.known;
      return lsn === undefined ? undefined : formatLsn(lsn);
    },
    refresh,
    close: () => clearInterval(timer),
  };
}
