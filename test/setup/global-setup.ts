import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '@vetalyze/bench/embedded-postgres';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../src/db/migrate.js';
import { dockerAnswers, selectDatabaseSource } from './database-source.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser URL on the test server, for creating per-file databases. */
    adminUrl: string;
    /** The migrated database each test file's database is cloned from. */
    templateDatabase: string;
  }
}

async function startServer(): Promise<{ url: string; stop: () => Promise<void>; label: string }> {
  const source = selectDatabaseSource(process.env, await dockerAnswers(process.env));
  if (source.kind === 'url')
    return { url: source.url, stop: async () => {}, label: 'DATABASE_URL' };
  if (source.kind === 'testcontainers') {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:18').start();
    return {
      url: container.getConnectionUri(),
      stop: async () => void (await container.stop()),
      label: 'testcontainers',
    };
  }
  const directory = await mkdtemp(join(tmpdir(), 'vetalyze-test-pg-'));
  const server = await startEmbeddedPostgres({ directory, persistent: false });
  return { url: server.url, stop: server.stop, label: 'embedded PostgreSQL' };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * Ends the run with exit code 1. Seen with vitest 5: a rejection from global
 * setup was reported as an unhandled error, no test ran, and the run still
 * exited 0 (process.exitCode was overwritten). A suite that never ran must fail.
 */
function failSuite(error: unknown): never {
  console.error('[vetalyze tests] could not prepare the test database:', error);
  process.exit(1);
}

/** Starts (or reaches) the server, migrates a template, and tears everything down at the end. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startServer().catch(failSuite);
  const runId = `${process.pid}_${Date.now().toString(36)}`;
  const templateDatabase = `vz_template_${runId}`;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();

  let stopped = false;
  const teardown = async () => {
    if (stopped) return;
    stopped = true;
    try {
      const { rows } = await admin.query<{ datname: string }>(
        `select datname from pg_database where datname like $1 or datname like $2`,
        [`vz_test_${runId}%`, templateDatabase],
      );
      for (const { datname } of rows)
        await admin.query(`drop database if exists "${datname}" with (force)`);
    } finally {
      await admin.end().catch(() => {});
      await server.stop();
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    void teardown().finally(() => process.kill(process.pid, signal));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    await admin.query(`create database "${templateDatabase}"`);
    await migrate(withDatabase(server.url, templateDatabase));
  } catch (error) {
    await teardown();
    failSuite(error);
  }
  const { rows } = await admin.query<{ server_version: string }>('show server_version');
  console.log(`[vetalyze tests] ${server.label}, PostgreSQL ${rows[0]?.server_version}`);
  project.provide('adminUrl', server.url);
  project.provide('templateDatabase', templateDatabase);
  return async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await teardown();
  };
}
