import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { MigrationError } from '../errors.js';
import { toVetalyzeError } from './map-error.js';

/** What `migrate()` did: the files it applied now, in order, and those already there. */
export interface MigrationResult {
  readonly applied: readonly string[];
  readonly alreadyApplied: readonly string[];
}

interface MigrationFile {
  readonly name: string;
  readonly text: string;
  readonly checksum: string;
}

// Any fixed 64-bit number serialises every migrating process on one database.
const migrationLockKey = 7_348_112_290_415n;

/**
 * The sql/ folder shipped in the installed package, found from this module's own
 * location (src/db when run from source, dist when built), never from the cwd.
 */
export function findMigrationsDirectory(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++) {
    const candidate = join(directory, 'sql');
    if (existsSync(join(candidate, '0001_reference_tables.sql'))) return candidate;
    directory = dirname(directory);
  }
  throw new MigrationError(
    `cannot find the package's sql/ folder above ${fileURLToPath(import.meta.url)}`,
  );
}

async function readMigrationFiles(directory: string): Promise<MigrationFile[]> {
  const names = (await readdir(directory)).filter((name) => /^\d{4}_.+\.sql$/.test(name)).sort();
  return Promise.all(
    names.map(async (name) => {
      const text = await readFile(join(directory, name), 'utf8');
      return { name, text, checksum: createHash('sha256').update(text).digest('hex') };
    }),
  );
}

/**
 * Applies every pending file of sql/ in order, each in its own transaction, and
 * records its name and checksum. Refuses when an applied file has changed. Safe
 * when many processes call it at once: they queue on an advisory lock.
 */
export async function migrate(
  connectionString: string,
  directory: string = findMigrationsDirectory(),
): Promise<MigrationResult> {
  const files = await readMigrationFiles(directory);
  const client = new pg.Client({ connectionString });
  try {
    await client.connect();
    await client.query('select pg_advisory_lock($1)', [migrationLockKey.toString()]);
    try {
      await client.query(`create table if not exists vetalyze_migrations (
        name text primary key,
        checksum text not null,
        applied_at timestamptz not null default now())`);
      const { rows } = await client.query<{ name: string; checksum: string }>(
        'select name, checksum from vetalyze_migrations',
      );
      const recorded = new Map(rows.map((row) => [row.name, row.checksum]));
      const applied: string[] = [];
      const alreadyApplied: string[] = [];
      for (const file of files) {
        const checksum = recorded.get(file.name);
        if (checksum === file.checksum) {
          alreadyApplied.push(file.name);
          continue;
        }
        if (checksum !== undefined) {
          throw new MigrationError(
            `migration ${file.name} was changed after it was applied (recorded checksum ${checksum.slice(0, 12)}, file ${file.checksum.slice(0, 12)}); add a new migration instead`,
          );
        }
        await applyFile(client, file);
        applied.push(file.name);
      }
      return { applied, alreadyApplied };
    } finally {
      await client.query('select pg_advisory_unlock($1)', [migrationLockKey.toString()]);
    }
  } catch (error) {
    if (error instanceof MigrationError) throw error;
    throw toVetalyzeError(error);
  } finally {
    await client.end();
  }
}

async function applyFile(client: pg.Client, file: MigrationFile): Promise<void> {
  await client.query('begin');
  try {
    await client.query(file.text);
    await client.query('insert into vetalyze_migrations (name, checksum) values ($1, $2)', [
      file.name,
      file.checksum,
    ]);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw new MigrationError(`migration ${file.name} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
