import type pg from 'pg';

/** Sizes of the database and of each table with its indexes and TOAST. */
export interface StorageResult {
  readonly databaseBytes: number;
  readonly tables: readonly {
    readonly name: string;
    readonly rows: number;
    /** pg_total_relation_size: heap, indexes and TOAST. */
    readonly totalBytes: number;
    readonly indexBytes: number;
  }[];
}

/** Reads pg_database_size and pg_total_relation_size of every table of the schema. */
export async function measureStorage(client: pg.ClientBase): Promise<StorageResult> {
  const database = await client.query<{ bytes: string }>(
    'select pg_database_size(current_database()) as bytes',
  );
  const tables = await client.query<{ name: string; rows: string; total: string; indexes: string }>(
    `select c.relname as name, greatest(c.reltuples, 0)::bigint as rows,
            pg_total_relation_size(c.oid) as total, pg_indexes_size(c.oid) as indexes
     from pg_class c
     where c.relkind = 'r' and c.relnamespace = current_schema()::regnamespace
     order by pg_total_relation_size(c.oid) desc`,
  );
  return {
    databaseBytes: Number(database.rows[0]?.bytes ?? 0),
    tables: tables.rows.map((row) => ({
      name: row.name,
      rows: Number(row.rows),
      totalBytes: Number(row.total),
      indexBytes: Number(row.indexes),
    })),
  };
}
