import { createPool, type DatabasePool, type Interceptor } from 'slonik';
import { toVetalyzeError } from './map-error.js';

/** Settings of one connection pool; every field has a documented default in `VetalyzeOptions`. */
export interface PoolSettings {
  connectionString: string;
  poolSize: number;
  statementTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
  connectionTimeoutMs: number;
  interceptors: readonly Interceptor[];
}

/**
 * JS types chosen on purpose: ids and counts as numbers (int8 included, safe to
 * 2^53), `date` as the 'YYYY-MM-DD' string the database holds (no time-zone
 * shift), timestamps as Date, numeric amounts as exact decimal strings.
 */
const typeParsers = [
  { name: 'int8', parse: (value: string) => Number.parseInt(value, 10) },
  { name: 'date', parse: (value: string) => value },
  { name: 'timestamptz', parse: (value: string) => new Date(value) },
  { name: 'timestamp', parse: (value: string) => new Date(`${value}Z`) },
  { name: 'numeric', parse: (value: string) => value },
];

/** A slonik pool tuned for latency: no per-call reset, no stack capture. */
export async function createDatabasePool(settings: PoolSettings): Promise<DatabasePool> {
  return createPool(settings.connectionString, {
    maxPoolSize: settings.poolSize,
    statementTimeout: settings.statementTimeoutMs,
    idleInTransactionSessionTimeout: settings.idleInTransactionTimeoutMs,
    connectionTimeout: settings.connectionTimeoutMs,
    interceptors: settings.interceptors,
    typeParsers,
    captureStackTrace: false,
    // slonik's default runs DISCARD ALL after every call: 5x slower point reads and
    // prepared statements dropped. The library never leaves session state behind
    // (no SET, no temp tables; advisory locks are released in finally), so skip it.
    resetConnection: async () => {},
  }).catch((error: unknown) => {
    throw toVetalyzeError(error);
  });
}
