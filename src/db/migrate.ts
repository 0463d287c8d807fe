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

/** Options of `migrate()`. */
export interface MigrateOptions {
  /** The folder of the migration files. @default the package's sql/ folder */
  readonly directory?: string;
  /**
   * Citus mode, on a Citus coordinator: after the ordinary files, applies the
   * files of sql/citus/ (recorded as `citus/<file>`), which make the shared
   * lookups and `users` reference tables and distribute `clinics` by id and
   * every tenant table by `clinic_id`, co-located (docs/scaling-out.md,
   * "Citus"). Applied once; later calls apply nothing new. Refused with a
   * MigrationError, before anything is written, when the database has no
   * `citus` extension. @default false
   */
  readonly citus?: boolean;
}

/** One migration file, as read and recorded. */
export interface MigrationFile {
  readonly name: string;
  readonly text: string;
  readonly checksum: string;
  /**
   * The file cut into statements, each sent on its own (Citus mode: Citus
   * re-parses a DDL command's query string and refuses one that holds several
   * statements). Absent: the whole file is sent as one query.
   */
  readonly statements?: readonly string[];
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

/** The numbered files of `directory` (`0001_name.sql`), in order, named with `prefix`. */
export async function readMigrationFiles(directory: string, prefix = ''): Promise<MigrationFile[]> {
  const names = (await readdir(directory)).filter((name) => /^\d{4}_.+\.sql$/.test(name)).sort();
  return Promise.all(
    names.map(async (name) => {
      const text = await readFile(join(directory, name), 'utf8');
      return {
        name: `${prefix}${name}`,
        text,
        checksum: createHash('sha256').update(text).digest('hex'),
      };
    }),
  );
}

/** The sub-folder of the migrations folder that holds the Citus step. */
export const citusMigrationsFolder = 'citus';

/**
 * The statements of a Citus step file: each ends with `;` at the end of a line
 * (no other line of sql/citus/, comments included, ends in one, and there is
 * no function body; test/schema/citus.test.ts compares the cut with
 * PostgreSQL's parser). Comment-only pieces are dropped.
 */
export function splitStatements(text: string): string[] {
  return text
    .split(/;[ \t]*$/m)
    .map((piece) => piece.trim())
    .filter((piece) => piece.replace(/^\s*--.*$/gm, '').trim() !== '');
}

/**
 * A base file as Citus mode sends it: statement by statement, as
 * {@link splitStatements} cuts it. A file applied to an already distributed
 * schema (an upgrade) has its DDL propagated to the workers by Citus with the
 * query's text, and Citus refuses a text of several statements there ("cannot
 * insert multiple commands into a prepared statement", for DROP INDEX after
 * ALTER TABLE in one query on Citus 13.2.2 with a worker). A file with a
 * dollar-quoted body cannot be cut at line ends and is sent whole.
 */
export function cutForCitus(file: MigrationFile): MigrationFile {
  if (/\$[A-Za-z_]*\$/.test(file.text)) return file;
  return { ...file, statements: splitStatements(file.text) };
}

/** The Citus step's files (sql/citus/), named `citus/<file>` as they are recorded. */
export async function readCitusMigrationFiles(
  directory: string = findMigrationsDirectory(),
): Promise<MigrationFile[]> {
  const folder = join(directory, citusMigrationsFolder);
  if (!existsSync(folder))
    throw new MigrationError(
      `Citus mode needs the ${citusMigrationsFolder}/ folder in ${directory}`,
    );
  const files = await readMigrationFiles(folder, `${citusMigrationsFolder}/`);
  return files.map((file) => ({ ...file, statements: splitStatements(file.text) }));
}

/** Refuses Citus mode on a database without the citus extension, naming what is missing. */
async function ensureCitus(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ database: string; installed: boolean; available: boolean }>(
    `select current_database() as database,
       exists (select from pg_extension where extname = 'citus') as installed,
       exists (select from pg_available_extensions where name = 'citus') as available`,
  );
  const row = rows[0];
  if (row?.installed) return;
  const server = row?.available
    ? ''
    : ' (this server offers no citus extension: install Citus and add it to shared_preload_libraries)';
  throw new MigrationError(
    `citus extension not installed in database "${row?.database ?? '?'}": migrate({ citus: true }) distributes the schema on a Citus coordinator; run 'create extension citus' there first${server}, or migrate without citus`,
  );
}

/**
 * Applies every pending file of sql/ in order, each in its own transaction, and
 * records its name and checksum. Refuses when an applied file has changed. Safe
 * when many processes call it at once: they queue on an advisory lock.
 *
 * The second argument is the migrations folder, or {@link MigrateOptions}:
 * `migrate(url, { citus: true })` also applies the Citus step (sql/citus/).
 */
export async function migrate(
  connectionString: string,
  directoryOrOptions: string | MigrateOptions = {},
): Promise<MigrationResult> {
  const options: MigrateOptions =
    typeof directoryOrOptions === 'string' ? { directory: directoryOrOptions } : directoryOrOptions;
  const directory = options.directory ?? findMigrationsDirectory();
  const base = await readMigrationFiles(directory);
  const files = options.citus
    ? [...base.map(cutForCitus), ...(await readCitusMigrationFiles(directory))]
    : base;
  const client = new pg.Client({ connectionString });
  try {
    await client.connect();
    if (options.citus) await ensureCitus(client);
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
    for (const statement of file.statements ?? [file.text]) await client.query(statement);
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
