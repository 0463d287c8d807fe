import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { createPgPool, type PoolSettings } from '../../src/db/pool.js';
import { createVetalyze, type Vetalyze, type VetalyzeOptions } from '../../src/index.js';

/** A database of this test file's own, cloned from the migrated template. */
export interface TestDatabase {
  readonly url: string;
  readonly name: string;
}

/**
 * Clones the migrated template into a fresh database for the calling test file
 * and drops it after the file's tests. Files never share state.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('adminUrl');
  const template = inject('templateDatabase');
  const name = `${template.replace('vz_template_', 'vz_test_')}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}" template "${template}"`);
  } finally {
    await admin.end();
  }
  const parsed = new URL(adminUrl);
  parsed.pathname = `/${name}`;
  afterAll(async () => {
    const dropper = new pg.Client({ connectionString: adminUrl });
    await dropper.connect();
    await dropper.query(`drop database if exists "${name}" with (force)`);
    await dropper.end();
  });
  return { url: parsed.toString(), name };
}

/**
 * A `createVetalyze` on a fresh test database, closed after the file. Each
 * statement is appended to `queries`, so tests can count what a call sent.
 */
export async function createTestVetalyze(
  options: Partial<VetalyzeOptions> = {},
): Promise<{ vz: Vetalyze; database: TestDatabase; queries: string[] }> {
  const database = await createTestDatabase();
  const queries: string[] = [];
  const vz = await createVetalyze({
    ...options,
    connectionString: database.url,
    onQuery: (event) => {
      queries.push(event.sql);
      options.onQuery?.(event);
    },
  });
  afterAll(() => vz.close());
  return { vz, database, queries };
}

/** Runs `action` and returns how many statements it sent, with its result. */
export async function countStatements<T>(
  queries: string[],
  action: () => Promise<T>,
): Promise<{ result: T; statements: number }> {
  const before = queries.length;
  const result = await action();
  return { result, statements: queries.length - before };
}

/**
 * A node-postgres pool on `database` built the way createVetalyze builds one,
 * with short timeouts, closed after the file's tests.
 */
export function createTestPool(
  database: TestDatabase,
  overrides: Partial<Omit<PoolSettings, 'connectionString'>> = {},
): pg.Pool {
  const pool = createPgPool({
    connectionString: database.url,
    poolSize: 2,
    statementTimeoutMs: 2_000,
    idleInTransactionTimeoutMs: 2_000,
    connectionTimeoutMs: 1_000,
    ...overrides,
  });
  afterAll(() => pool.end());
  return pool;
}
