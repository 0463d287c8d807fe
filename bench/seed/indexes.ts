import type pg from 'pg';
import type { DroppedIndex } from './meta.js';

/** The big tables whose keys and indexes a bulk load drops and rebuilds. */
export const bulkTables = ['owners', 'pets'] as const;

/**
 * What a bulk load of `tables` drops, read from the catalog so a new index or
 * key in sql/ is handled without touching the harness: their secondary
 * indexes, their primary and unique keys, and every foreign key that
 * references them. Returned in the order that recreates them (keys, indexes,
 * then foreign keys, which need the keys); drop in reverse.
 */
export async function bulkLoadObjects(
  client: pg.ClientBase,
  tables: readonly string[],
): Promise<DroppedIndex[]> {
  const { rows } = await client.query<DroppedIndex>(
    `select * from (
       select t.relname as "table", c.conname as name, 'key' as kind,
              format('alter table %I add constraint %I %s using index %I', t.relname,
                     c.conname, case c.contype when 'p' then 'primary key' else 'unique' end,
                     c.conname) as "create",
              pg_get_indexdef(c.conindid) as "index"
       from pg_constraint c join pg_class t on t.oid = c.conrelid
       where c.contype in ('p', 'u') and t.relname = any($1)
         and t.relnamespace = current_schema()::regnamespace
       union all
       select t.relname, i.relname, 'index', pg_get_indexdef(x.indexrelid), null
       from pg_index x
       join pg_class i on i.oid = x.indexrelid
       join pg_class t on t.oid = x.indrelid
       where t.relname = any($1) and t.relnamespace = current_schema()::regnamespace
         and not exists (select 1 from pg_constraint c where c.conindid = x.indexrelid)
       union all
       select t.relname, c.conname, 'foreign-key',
              format('alter table %I add constraint %I %s', t.relname, c.conname,
                     pg_get_constraintdef(c.oid)),
              null
       from pg_constraint c
       join pg_class t on t.oid = c.conrelid
       join pg_class r on r.oid = c.confrelid
       where c.contype = 'f' and r.relname = any($1)
         and r.relnamespace = current_schema()::regnamespace
     ) objects
     order by case kind when 'key' then 0 when 'index' then 1 else 2 end, "table", name`,
    [tables],
  );
  return rows;
}

/** Drops the objects (their definitions must have been recorded first), foreign keys first. */
export async function dropObjects(
  client: pg.ClientBase,
  objects: readonly DroppedIndex[],
): Promise<void> {
  for (const object of [...objects].reverse()) {
    if (object.kind === 'index') await client.query(`drop index if exists "${object.name}"`);
    else
      await client.query(
        `alter table "${object.table}" drop constraint if exists "${object.name}"`,
      );
  }
}

/** True when the index (a secondary index, or a key's own) exists already. */
async function indexExists(client: pg.ClientBase, name: string): Promise<boolean> {
  const { rows } = await client.query<{ present: boolean }>(
    'select to_regclass($1) is not null as present',
    [name],
  );
  return rows[0]?.present === true;
}

/** True when the constraint exists already. */
async function constraintExists(client: pg.ClientBase, object: DroppedIndex): Promise<boolean> {
  const { rows } = await client.query<{ present: boolean }>(
    `select exists (select 1 from pg_constraint c join pg_class t on t.oid = c.conrelid
       where c.conname = $1 and t.relname = $2) as present`,
    [object.name, object.table],
  );
  return rows[0]?.present === true;
}

/**
 * Builds a key's unique index, or a secondary index, unless it exists. A key
 * is only attached later ({@link recreateObjects}): building its index as
 * CREATE UNIQUE INDEX takes a SHARE lock, which lets another connection build
 * another index of the same table at the same time, where ALTER TABLE ADD
 * CONSTRAINT's ACCESS EXCLUSIVE lock waited for it (a 1000-clinic seed spent
 * 1.6 s of its 2.3 s pets key build waiting for the pets trigram build).
 */
async function buildIndex(client: pg.ClientBase, object: DroppedIndex): Promise<void> {
  if (object.kind === 'foreign-key') return;
  // A key recorded before keys had their own index statement is built whole.
  if (object.kind === 'key' && !object.index) return recreateObjects(client, [object]);
  if (object.kind === 'key' && (await constraintExists(client, object))) return;
  if (!(await indexExists(client, object.name))) await client.query(object.index ?? object.create);
}

/**
 * Recreates objects in order on one connection, skipping any that exist
 * already: an index, a key (its unique index when missing, then the
 * constraint on it), a foreign key.
 */
export async function recreateObjects(
  client: pg.ClientBase,
  objects: readonly DroppedIndex[],
): Promise<void> {
  for (const object of objects) {
    if (object.kind === 'index') {
      if (!(await indexExists(client, object.name))) await client.query(object.create);
      continue;
    }
    if (await constraintExists(client, object)) continue;
    if (object.kind === 'key' && object.index && !(await indexExists(client, object.name)))
      await client.query(object.index);
    await client.query(object.create);
  }
}

/** Rough cost order: trigram GIN builds dwarf btree builds; start the long ones first. */
function buildCost(object: DroppedIndex): number {
  if (/using gin/i.test(object.create)) return 2;
  return object.kind === 'key' ? 1 : 0;
}

/**
 * Builds keys and indexes on several connections at once: a table's objects
 * become available when its rows are committed (`publish`), and each
 * connection takes the costliest available object until every table is
 * published and nothing is left. Keys get their unique index only (attach
 * them with recreateObjects once every build is done); foreign keys nothing.
 */
export function createBuildQueue(tableCount: number): {
  publish(objects: readonly DroppedIndex[]): void;
  work(client: pg.ClientBase): Promise<void>;
} {
  const queue: DroppedIndex[] = [];
  let unpublished = tableCount;
  let waiting: (() => void)[] = [];
  return {
    publish: (objects) => {
      queue.push(...objects.filter((object) => object.kind !== 'foreign-key'));
      queue.sort((a, b) => buildCost(b) - buildCost(a));
      unpublished--;
      for (const wake of waiting) wake();
      waiting = [];
    },
    work: async (client) => {
      for (;;) {
        const next = queue.shift();
        if (next) await buildIndex(client, next);
        else if (unpublished <= 0) return;
        else await new Promise<void>((resolve) => waiting.push(resolve));
      }
    },
  };
}
