import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/database.js';

// Read from the catalog, not from a list of names: a tenant table added later
// that breaks a rule fails these tests without anyone editing them. The last
// tests prove it by adding such tables inside a rolled-back transaction.

let client: pg.Client;

beforeAll(async () => {
  const database = await createTestDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});
afterAll(() => client.end());

const hasClinicId = (relation: string) => `exists (
  select 1 from pg_attribute col
  where col.attrelid = ${relation} and col.attname = 'clinic_id' and not col.attisdropped)`;

/** Tables in `public` that have a clinic_id column: the tenant tables. */
async function tenantTables(): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(`
    select c.relname as name from pg_class c
    join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
    where c.relkind in ('r', 'p') and ${hasClinicId('c.oid')}
    order by 1`);
  return rows.map((row) => row.name);
}

/** Primary keys and unique indexes of tenant tables whose first column is not clinic_id. */
async function uniqueKeysNotLedByClinicId(): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(`
    select i.relname as name
    from pg_index x
    join pg_class t on t.oid = x.indrelid
    join pg_namespace n on n.oid = t.relnamespace and n.nspname = 'public'
    join pg_class i on i.oid = x.indexrelid
    left join pg_attribute a on a.attrelid = t.oid and a.attnum = x.indkey[0]
    where (x.indisunique or x.indisprimary) and ${hasClinicId('t.oid')}
      and a.attname is distinct from 'clinic_id'`);
  return rows.map((row) => row.name);
}

/** Tenant tables without a primary key. */
async function tenantTablesWithoutPrimaryKey(): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(`
    select c.relname as name from pg_class c
    join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
    where c.relkind = 'r' and ${hasClinicId('c.oid')}
      and not exists (select 1 from pg_constraint k where k.conrelid = c.oid and k.contype = 'p')`);
  return rows.map((row) => row.name);
}

/** Foreign keys between two tenant tables that do not pair clinic_id with clinic_id. */
async function tenantForeignKeysWithoutClinicId(): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(`
    select k.conname as name
    from pg_constraint k
    where k.contype = 'f' and ${hasClinicId('k.conrelid')} and ${hasClinicId('k.confrelid')}
      and not exists (
        select 1 from unnest(k.conkey, k.confkey) as pair(from_attnum, to_attnum)
        join pg_attribute f on f.attrelid = k.conrelid and f.attnum = pair.from_attnum
        join pg_attribute t on t.attrelid = k.confrelid and t.attnum = pair.to_attnum
        where f.attname = 'clinic_id' and t.attname = 'clinic_id')`);
  return rows.map((row) => row.name);
}

/** Runs `ddl` in a transaction, reads `check`, and rolls everything back. */
async function withTemporarySchema<T>(ddl: string, check: () => Promise<T>): Promise<T> {
  await client.query('begin');
  try {
    await client.query(ddl);
    return await check();
  } finally {
    await client.query('rollback');
  }
}

describe('tenant tables', () => {
  it('include every per-clinic table', async () => {
    expect(await tenantTables()).toEqual(
      expect.arrayContaining([
        'clinic_counters',
        'clinic_staff',
        'owners',
        'pets',
        'subscription_history',
      ]),
    );
  });

  it('lead their primary key and every unique key with clinic_id', async () => {
    expect(await uniqueKeysNotLedByClinicId()).toEqual([]);
  });

  it('all have a primary key', async () => {
    expect(await tenantTablesWithoutPrimaryKey()).toEqual([]);
  });

  it('reference each other only through foreign keys that pair clinic_id with clinic_id', async () => {
    expect(await tenantForeignKeysWithoutClinicId()).toEqual([]);
  });
});

describe('the invariant checks', () => {
  it('catch a new tenant table whose primary key or unique key does not lead with clinic_id', async () => {
    const offenders = await withTemporarySchema(
      `create table visits (clinic_id integer not null, id integer not null, ref text,
         primary key (id, clinic_id), unique (ref, clinic_id));
       create table notes (clinic_id integer not null, body text)`,
      async () => ({
        keys: await uniqueKeysNotLedByClinicId(),
        noKey: await tenantTablesWithoutPrimaryKey(),
      }),
    );
    expect(offenders.keys.sort()).toEqual(['visits_pkey', 'visits_ref_clinic_id_key']);
    expect(offenders.noKey).toEqual(['notes']);
  });

  it('catch a foreign key between tenant tables that leaves clinic_id out', async () => {
    const offenders = await withTemporarySchema(
      `create unique index owners_id_only on owners (clinic_id, id);
       create table visits (clinic_id integer not null, id integer not null, owner_id integer not null,
         primary key (clinic_id, id));
       alter table owners add constraint owners_id_unique unique (id);
       alter table visits add constraint visits_owner_fkey foreign key (owner_id) references owners (id)`,
      tenantForeignKeysWithoutClinicId,
    );
    expect(offenders).toEqual(['visits_owner_fkey']);
  });
});

describe('search indexes', () => {
  it('cap every GIN pending list at 64 kB, so searches never read a long one', async () => {
    const { rows } = await client.query<{ name: string; options: string[] | null }>(`
      select i.relname as name, i.reloptions as options
      from pg_class i
      join pg_am am on am.oid = i.relam and am.amname = 'gin'
      join pg_namespace n on n.oid = i.relnamespace and n.nspname = 'public'
      order by 1`);
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.filter((row) => !row.options?.includes('gin_pending_list_limit=64'))).toEqual([]);
  });
});
