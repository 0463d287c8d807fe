import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { findMigrationsDirectory, MigrationError, migrate } from '../../src/index.js';
import { createTestDatabase } from '../helpers/database.js';

async function countRecorded(url: string): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; n: number }>(
      'select name, count(*)::int as n from vetalyze_migrations group by name',
    );
    return new Map(rows.map((row) => [row.name, row.n]));
  } finally {
    await client.end();
  }
}

describe('migrate', () => {
  it('applies nothing the second time on a migrated database', async () => {
    const database = await createTestDatabase();
    const result = await migrate(database.url);
    expect(result.applied).toEqual([]);
    expect(result.alreadyApplied.length).toBeGreaterThanOrEqual(6);
  });

  it('applies each file exactly once when 8 processes migrate an empty database at once', async () => {
    const database = await createTestDatabase();
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    // An empty database on the same server: drop everything the template brought.
    await admin.query('drop schema public cascade; create schema public;');
    await admin.end();

    const results = await Promise.all(Array.from({ length: 8 }, () => migrate(database.url)));
    const files = results.flatMap((result) => result.applied);
    const expected = results[0]?.applied.length
      ? results[0].applied
      : results.find((r) => r.applied.length)?.applied;
    expect(new Set(files).size).toBe(files.length);
    expect(files.length).toBe(expected?.length);
    const recorded = await countRecorded(database.url);
    expect([...recorded.values()].every((n) => n === 1)).toBe(true);
    expect(recorded.size).toBe(files.length);
  });

  it('refuses a changed applied file and names it', async () => {
    const database = await createTestDatabase();
    const directory = await mkdtemp(join(tmpdir(), 'vz-migrations-'));
    await cp(findMigrationsDirectory(), directory, { recursive: true });
    await writeFile(
      join(directory, '0003_reference_data.sql'),
      `-- edited ${randomBytes(4).toString('hex')}\n`,
      {
        flag: 'a',
      },
    );
    const attempt = migrate(database.url, directory);
    await expect(attempt).rejects.toBeInstanceOf(MigrationError);
    await expect(attempt).rejects.toThrow(/0003_reference_data\.sql/);
  });
});
