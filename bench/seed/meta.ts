import type pg from 'pg';
import type { GeneratorOptions } from '../generate/options.js';

/**
 * What the harness records beside the data it generated: the generator options
 * (so growth uses the same ones), how many clinics are loaded, and index
 * definitions dropped for a load (restored by the next run if a load died).
 */
export interface SeedMeta {
  readonly options: GeneratorOptions;
  readonly clinics: number;
  readonly droppedIndexes: readonly DroppedIndex[];
}

/** An index or constraint the loader dropped, with the statement that recreates it. */
export interface DroppedIndex {
  readonly table: string;
  readonly name: string;
  /** `key` (primary or unique), `index` (secondary) or `foreign-key`. */
  readonly kind: 'key' | 'index' | 'foreign-key';
  /** For a key, the ALTER TABLE that attaches it to its unique index. */
  readonly create: string;
  /** For a key, the CREATE UNIQUE INDEX of its index; null otherwise (absent in older records). */
  readonly index?: string | null;
}

/** The harness's own bookkeeping table; not part of the library's schema. */
export const metaTable = 'vetalyze_bench_seed';

/** Creates the bookkeeping table when missing. */
export async function ensureMetaTable(client: pg.ClientBase): Promise<void> {
  await client.query(`create table if not exists ${metaTable} (
    singleton boolean primary key default true check (singleton),
    options jsonb not null,
    clinics integer not null check (clinics >= 0),
    dropped_indexes jsonb not null default '[]',
    updated_at timestamptz not null default now())`);
}

/** The recorded state, or null when the harness never loaded this database. */
export async function readMeta(client: pg.ClientBase): Promise<SeedMeta | null> {
  const { rows } = await client.query<{
    options: GeneratorOptions;
    clinics: number;
    dropped_indexes: DroppedIndex[];
  }>(`select options, clinics, dropped_indexes from ${metaTable}`);
  const row = rows[0];
  return row
    ? { options: row.options, clinics: row.clinics, droppedIndexes: row.dropped_indexes }
    : null;
}

/** Records the state (one row). */
export async function writeMeta(client: pg.ClientBase, meta: SeedMeta): Promise<void> {
  await client.query(
    `insert into ${metaTable} (options, clinics, dropped_indexes) values ($1, $2, $3)
     on conflict (singleton) do update
     set options = excluded.options, clinics = excluded.clinics,
         dropped_indexes = excluded.dropped_indexes, updated_at = now()`,
    [JSON.stringify(meta.options), meta.clinics, JSON.stringify(meta.droppedIndexes)],
  );
}

/** The options that shape the data (all but the anchor date), as `name=value` differences. */
export function optionDifferences(recorded: GeneratorOptions, wanted: GeneratorOptions): string[] {
  const keys = Object.keys(wanted) as (keyof GeneratorOptions)[];
  return keys
    .filter((key) => key !== 'anchorDate' && recorded[key] !== wanted[key])
    .map(
      (key) => `${key}: data set has ${String(recorded[key])}, asked for ${String(wanted[key])}`,
    );
}
