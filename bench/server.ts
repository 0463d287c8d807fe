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

/**
 * The user's database when `databaseUrl` is given; else an embedded
 * PostgreSQL 18 kept in `cacheDir` (persistent, so a second run finds the data
 * set it seeded), with a `vetalyze_bench` database created on first use.
 */
export async function openBenchDatabase(options: {
  databaseUrl?: string | undefined;
  cacheDir: string;
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
  const server = await startEmbeddedPostgres({ directory, persistent: true });
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
