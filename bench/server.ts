import { totalmem } from 'node:os';
import { resolve } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from './embedded-postgres.js';

/** Where the harness runs: a database URL and how to let go of it. */
export interface BenchDatabase {
  readonly url: string;
  /** 'database-url' or 'embedded PostgreSQL in <dir>'. */
  readonly label: string;
  readonly embedded: boolean;
  /** Drops and recreates the database (embedded only: a user's database is never dropped). */
  recreate(): Promise<void>;
  /** Stops the embedded server (the data stays in the cache folder); no-op for a URL. */
  close(): Promise<void>;
}

/** The database the harness loads inside its embedded server. */
export const benchDatabaseName = 'vetalyze_bench';

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Above this many clinics the data set outgrows the small profile's 512 MB of shared_buffers. */
const largeDataSet = 1000;

/**
 * Memory settings for an embedded server that will hold `clinics` clinics.
 * Up to 1000 clinics (under 1 GB with indexes) the fixed 512 MB of the small
 * profiles; above that, half of the memory for shared_buffers, so that the
 * 10,000-clinic data set (9.25 GB) fits, and three quarters as
 * effective_cache_size (docs/operations.md, the 10,000-clinic profile). A
 * page read from outside shared buffers cost 40-200 µs on the 2-core dev VM
 * (EXPLAIN with track_io_timing: 18 pages in 0.76 ms with io_method=sync,
 * about 200 µs a page with the default io workers), so with a quarter of the
 * memory (6 GB) a search at 10,000 clinics that missed 5-10 pages paid 1-2
 * ms, and which pages missed moved the p95 from run to run.
 */
export function serverSettingsFor(clinics: number, memoryBytes = totalmem()): string[] {
  if (clinics <= largeDataSet) return [];
  const mb = (share: number) => `${Math.floor((memoryBytes * share) / 2 ** 20)}MB`;
  return [`shared_buffers=${mb(0.5)}`, `effective_cache_size=${mb(0.75)}`];
}

/**
 * The user's database when `databaseUrl` is given; else an embedded
 * PostgreSQL 18 kept in `cacheDir` (persistent, so a second run finds the data
 * set it seeded), with a `vetalyze_bench` database created on first use.
 */
export async function openBenchDatabase(options: {
  databaseUrl?: string | undefined;
  cacheDir: string;
  /** The largest data set this run will hold: sizes the embedded server's memory. */
  clinics?: number;
}): Promise<BenchDatabase> {
  if (options.databaseUrl) {
    return {
      url: options.databaseUrl,
      label: 'database-url',
      embedded: false,
      recreate: async () => {
        throw new Error('refusing to drop a database given by --database-url');
      },
      close: async () => {},
    };
  }
  const directory = resolve(options.cacheDir);
  const server = await startEmbeddedPostgres({
    directory,
    persistent: true,
    settings: serverSettingsFor(options.clinics ?? 0),
  });
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      return await client.query(statement);
    } finally {
      await client.end();
    }
  };
  try {
    const { rowCount } = await admin(
      `select 1 from pg_database where datname = '${benchDatabaseName}'`,
    );
    if (!rowCount) await admin(`create database ${benchDatabaseName}`);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    url: withDatabase(server.url, benchDatabaseName),
    label: `embedded PostgreSQL in ${directory}`,
    embedded: true,
    recreate: async () => {
      await admin(`drop database if exists ${benchDatabaseName} with (force)`);
      await admin(`create database ${benchDatabaseName}`);
    },
    close: () => server.stop(),
  };
}
