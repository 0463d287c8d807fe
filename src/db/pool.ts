import pg from 'pg';
import { toVetalyzeError } from './map-error.js';

/** Settings of one connection pool; every field has a documented default in `VetalyzeOptions`. */
export interface PoolSettings {
  connectionString: string;
  poolSize: number;
  statementTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
  connectionTimeoutMs: number;
  /** TLS to the server: node-postgres' `ssl` (true, or tls.connect options). */
  ssl?: PoolSsl | undefined;
  /** Shown in pg_stat_activity and the server's logs. */
  applicationName?: string | undefined;
}

/** TLS settings: `true` (verify against the system's CAs) or the usual tls.connect fields. */
export type PoolSsl =
  | boolean
  | {
      /** Refuse a server whose certificate does not verify. @default true */
      rejectUnauthorized?: boolean;
      /** PEM CA certificate(s) to verify the server with. */
      ca?: string | string[];
      /** PEM client certificate, for certificate authentication. */
      cert?: string;
      /** PEM private key of `cert`. */
      key?: string;
      /** Server name to verify (SNI), when it differs from the host. */
      servername?: string;
    };

/**
 * JS types chosen on purpose: ids and counts as numbers (int8 included, safe to
 * 2^53), `date` as the 'YYYY-MM-DD' string the database holds (no time-zone
 * shift), timestamps as Date, numeric amounts as exact decimal strings.
 * Keys are the built-in type OIDs, which are the same on every server.
 */
const parsers = new Map<number, (value: string) => unknown>([
  [20, (value) => Number.parseInt(value, 10)], // int8
  [1082, (value) => value], // date
  [1184, (value) => new Date(value)], // timestamptz
  [1114, (value) => new Date(`${value}Z`)], // timestamp
  [1700, (value) => value], // numeric
]);

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    (format ?? 'text') === 'text'
      ? (parsers.get(oid) ?? pg.types.getTypeParser(oid, 'text'))
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * A node-postgres pool: timeouts are session settings sent at connect, so no
 * statement is spent on them. Sessions keep no other state (no SET, no temp
 * tables, advisory locks released in finally), so a connection goes back to
 * the pool as it is, with its prepared statements.
 */
export function createPgPool(settings: PoolSettings): pg.Pool {
  const pool = new pg.Pool({
    connectionString: settings.connectionString,
    max: settings.poolSize,
    connectionTimeoutMillis: settings.connectionTimeoutMs,
    // Connections stay open once made (at most poolSize). pg-pool's idle close
    // arms and clears a timer on every release: about 5 µs a call, measured.
    idleTimeoutMillis: 0,
    statement_timeout: settings.statementTimeoutMs,
    idle_in_transaction_session_timeout: settings.idleInTransactionTimeoutMs,
    application_name: settings.applicationName,
    ...(settings.ssl === undefined ? {} : { ssl: settings.ssl }),
    // Idle connections do not keep the host process alive: a script that
    // forgets close() still exits once its work is done.
    allowExitOnIdle: true,
    types,
  });
  // An idle connection the server drops is removed by the pool; without a
  // listener the 'error' event would end the host process.
  pool.on('error', () => {});
  // pg-pool listens for a connection's 'error' only while it is idle. One
  // that fails while lent (an export between two batches, a statement when
  // the server stops) emits 'error' with no listener, which ended the host
  // process with an uncaughtException. The failure itself reaches the
  // statement or cursor that was running, and the pool destroys the
  // connection when it comes back broken (see `isUsable`).
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return pool;
}

/** The fields of a node-postgres client that pg-pool itself reads when a connection comes back. */
interface ClientState {
  readonly processID?: number;
  readonly _queryable?: boolean;
  readonly _ending?: boolean;
  readonly _ended?: boolean;
}

/**
 * False when `client` can no longer send a statement: its socket failed, the
 * server ended the session, or it is closing. Such a connection is never
 * lent: it is destroyed and another one is taken.
 */
export function isUsable(client: pg.ClientBase): boolean {
  const state = client as pg.ClientBase & ClientState;
  return state._queryable !== false && state._ending !== true && state._ended !== true;
}

/**
 * Calls `onChange` with the backend pid of every connection `pool` opens
 * (`added: true`) and destroys (`false`), so notices sent by this process's
 * own writes can be told apart from other instances'.
 */
export function trackBackends(
  pool: pg.Pool,
  onChange: (backendPid: number, added: boolean) => void,
): void {
  const pidOf = (client: pg.PoolClient) => (client as pg.PoolClient & ClientState).processID;
  pool.on('connect', (client) => {
    const pid = pidOf(client);
    if (pid !== undefined) onChange(pid, true);
  });
  pool.on('remove', (client) => {
    const pid = pidOf(client);
    if (pid !== undefined) onChange(pid, false);
  });
}

/** Why a connection was destroyed instead of lent. */
const deadConnection = () =>
  new Error('Connection terminated: the pooled connection had already ended');

/**
 * Borrows a connection that can still send a statement, skipping (and
 * destroying) any that died while idle in the pool. The skips are bounded:
 * each one removes a connection, and a new one is made alive.
 */
export function borrow(
  pool: pg.Pool,
  callback: (error: Error | undefined, client?: pg.PoolClient) => void,
  skipped = 0,
): void {
  pool.connect((error, client, release) => {
    if (error || !client) {
      callback(error ?? deadConnection());
      return;
    }
    if (isUsable(client)) {
      callback(undefined, client);
      return;
    }
    release(deadConnection());
    if (skipped < pool.options.max) borrow(pool, callback, skipped + 1);
    else callback(deadConnection());
  });
}

/** {@link borrow} as a promise, for the paths that hold a connection for several statements. */
export function borrowClient(pool: pg.Pool): Promise<pg.PoolClient> {
  return new Promise((resolve, reject) => {
    borrow(pool, (error, client) => (client ? resolve(client) : reject(error)));
  });
}

/** Opens one connection, so a wrong URL or a down server fails at startup (UnavailableError). */
export async function checkConnection(pool: pg.Pool): Promise<void> {
  await pool.query('select 1').catch((error: unknown) => {
    throw toVetalyzeError(error);
  });
}
