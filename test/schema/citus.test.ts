import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModule, parseSync } from 'libpg-query';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  cutForCitus,
  readCitusMigrationFiles,
  readMigrationFiles,
  splitStatements,
} from '../../src/db/migrate.js';
import {
  createVetalyze,
  findMigrationsDirectory,
  MigrationError,
  migrate,
} from '../../src/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

/**
 * Citus mode without a Citus server (CI has plain PostgreSQL only): the
 * refusal on plain PostgreSQL, and the Citus step (sql/citus/) checked against
 * the catalog of the plainly migrated schema, so that a table added to sql/
 * and forgotten in the Citus step fails here. The step itself ran on a real
 * Citus 13 by hand (docs/scaling-out.md, "Citus").
 */

type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const sval = (node: unknown): string | undefined => {
  if (!isObj(node)) return undefined;
  const constant = isObj(node.A_Const) ? node.A_Const : undefined;
  const inner = constant && isObj(constant.sval) ? constant.sval : undefined;
  return inner ? String(inner.sval) : undefined;
};

/** What the Citus step's SQL does, read from its parse tree. */
interface CitusPlan {
  readonly reference: string[];
  readonly distributed: { table: string; column: string; colocateWith: string | undefined }[];
  /** `table.constraint` of every foreign key dropped, and of every one added. */
  readonly droppedKeys: string[];
  readonly addedKeys: string[];
  /** `table.trigger`. */
  readonly droppedTriggers: string[];
  readonly settings: string[];
  /** The statement type of the first statement, as 'VariableSetStmt'. */
  firstStatement: string;
}

function readPlan(text: string): CitusPlan {
  const plan: CitusPlan = {
    reference: [],
    distributed: [],
    droppedKeys: [],
    addedKeys: [],
    droppedTriggers: [],
    settings: [],
    firstStatement: '',
  };
  const tree = parseSync(text) as { stmts: { stmt: Obj }[] };
  plan.firstStatement = Object.keys(tree.stmts[0]?.stmt ?? {})[0] ?? '';
  for (const { stmt } of tree.stmts) {
    if (isObj(stmt.SelectStmt)) {
      for (const target of stmt.SelectStmt.targetList as Obj[]) {
        const call = (target.ResTarget as Obj).val as Obj;
        const funcCall = call.FuncCall as Obj;
        const name = ((funcCall.funcname as Obj[])[0]?.String as Obj | undefined)?.sval;
        const args = funcCall.args as Obj[];
        const named = (key: string) =>
          sval(
            args.map((arg) => arg.NamedArgExpr as Obj | undefined).find((arg) => arg?.name === key)
              ?.arg,
          );
        if (name === 'create_reference_table') plan.reference.push(sval(args[0]) ?? '');
        else if (name === 'create_distributed_table')
          plan.distributed.push({
            table: sval(args[0]) ?? '',
            column: sval(args[1]) ?? '',
            colocateWith: named('colocate_with'),
          });
      }
    } else if (isObj(stmt.AlterTableStmt)) {
      const table = String((stmt.AlterTableStmt.relation as Obj).relname);
      for (const { AlterTableCmd: cmd } of stmt.AlterTableStmt.cmds as { AlterTableCmd: Obj }[]) {
        if (cmd.subtype === 'AT_DropConstraint') plan.droppedKeys.push(`${table}.${cmd.name}`);
        if (cmd.subtype === 'AT_AddConstraint')
          plan.addedKeys.push(`${table}.${((cmd.def as Obj).Constraint as Obj).conname}`);
      }
    } else if (isObj(stmt.DropStmt) && stmt.DropStmt.removeType === 'OBJECT_TRIGGER') {
      for (const { List: list } of stmt.DropStmt.objects as { List: { items: Obj[] } }[]) {
        const [table, trigger] = list.items.map((item) => (item.String as Obj).sval);
        plan.droppedTriggers.push(`${table}.${trigger}`);
      }
    } else if (isObj(stmt.VariableSetStmt)) {
      plan.settings.push(String(stmt.VariableSetStmt.name));
    }
  }
  return plan;
}

let database: TestDatabase;
let client: pg.Client;
let citusText: string;
let plan: CitusPlan;

beforeAll(async () => {
  await loadModule();
  database = await createTestDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const files = await readCitusMigrationFiles();
  citusText = files.map((file) => file.text).join('\n');
  plan = readPlan(citusText);
});
afterAll(() => client.end());

async function names(sql: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(sql);
  return rows.map((row) => row.name).sort();
}

/** The public tables with a clinic_id column: the tenant tables. */
const tenantTablesSql = `
  select c.relname as name from pg_class c
  join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
  where c.relkind in ('r', 'p') and exists (
    select from pg_attribute a where a.attrelid = c.oid and a.attname = 'clinic_id' and not a.attisdropped)`;

/** Every foreign key of the public schema with its definition. */
const foreignKeysSql = `
  select k.conrelid::regclass || '.' || k.conname || ' ' || pg_get_constraintdef(k.oid) as name
  from pg_constraint k join pg_namespace n on n.oid = k.connamespace and n.nspname = 'public'
  where k.contype = 'f'`;

/** What the database holds: tables and recorded migrations. */
async function snapshot(url: string): Promise<{ tables: string[]; recorded: string[] }> {
  const probe = new pg.Client({ connectionString: url });
  await probe.connect();
  try {
    const tables = await probe.query<{ name: string }>(
      `select relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind = 'r' order by 1`,
    );
    const recorded = tables.rows.some((row) => row.name === 'vetalyze_migrations')
      ? await probe.query<{ name: string }>(
          'select name || checksum as name from vetalyze_migrations order by 1',
        )
      : { rows: [] };
    return {
      tables: tables.rows.map((row) => row.name),
      recorded: recorded.rows.map((row) => row.name),
    };
  } finally {
    await probe.end();
  }
}

describe('migrate({ citus: true }) on plain PostgreSQL', () => {
  it('refuses with a MigrationError naming the missing extension, and changes nothing', async () => {
    const before = await snapshot(database.url);
    const error = await migrate(database.url, { citus: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).code).toBe('MIGRATION');
    expect((error as Error).message).toMatch(/^citus extension not installed in database "/);
    expect(await snapshot(database.url)).toEqual(before);
  });

  it('refuses on an empty database before creating anything, also through vz.migrate', async () => {
    const empty = await createTestDatabase();
    const admin = new pg.Client({ connectionString: empty.url });
    await admin.connect();
    await admin.query('drop schema public cascade; create schema public;');
    await admin.end();
    const vz = await createVetalyze({ connectionString: empty.url, cacheInvalidation: false });
    try {
      await expect(vz.migrate({ citus: true })).rejects.toThrow(
        /citus extension not installed .*create extension citus/,
      );
    } finally {
      await vz.close();
    }
    expect(await snapshot(empty.url)).toEqual({ tables: [], recorded: [] });
  });

  it('refuses a migrations folder without citus/, before connecting', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'vz-no-citus-'));
    onTestFinished(() => rm(directory, { recursive: true }));
    await expect(
      migrate('postgres://nobody@127.0.0.1:1/none', { directory, citus: true }),
    ).rejects.toThrow(new MigrationError(`Citus mode needs the citus/ folder in ${directory}`));
  });

  it('leaves the ordinary path as it was: migrate(url) never reads sql/citus/', async () => {
    const result = await migrate(database.url);
    expect(result.applied).toEqual([]);
    expect(result.alreadyApplied.some((name) => name.startsWith('citus/'))).toBe(false);
    expect(
      await readFile(join(findMigrationsDirectory(), 'citus', '0001_distribute.sql'), 'utf8'),
    ).toContain('create_distributed_table');
  });
});

describe('the Citus step (sql/citus/) against the migrated schema', () => {
  it('is valid SQL that first sets sequential shard DDL for the one transaction', () => {
    expect(plan.firstStatement).toBe('VariableSetStmt');
    expect(plan.settings[0]).toBe('citus.multi_shard_modify_mode');
    expect(plan.distributed.length).toBeGreaterThan(0);
  });

  it('is cut into statements where PostgreSQL cuts it (Citus mode sends them one by one)', async () => {
    for (const file of await readCitusMigrationFiles()) {
      const parsed = (parseSync(file.text) as { stmts: unknown[] }).stmts.length;
      expect(file.statements?.length).toBe(parsed);
      for (const statement of file.statements ?? [])
        expect((parseSync(statement) as { stmts: unknown[] }).stmts.length).toBe(1);
    }
    // The base files too, which Citus mode sends one by one (a file with a
    // dollar-quoted body whole).
    let cut = 0;
    for (const file of (await readMigrationFiles(findMigrationsDirectory())).map(cutForCitus)) {
      if (file.statements === undefined) {
        expect({ file: file.name, dollarQuoted: /\$[A-Za-z_]*\$/.test(file.text) }).toEqual({
          file: file.name,
          dollarQuoted: true,
        });
        continue;
      }
      cut++;
      const parsed = (parseSync(file.text) as { stmts: unknown[] }).stmts.length;
      expect({ file: file.name, statements: file.statements.length }).toEqual({
        file: file.name,
        statements: parsed,
      });
      for (const statement of file.statements)
        expect((parseSync(statement) as { stmts: unknown[] }).stmts.length).toBe(1);
    }
    expect(cut).toBeGreaterThan(10);
    expect(splitStatements('-- a\nselect 1;\n-- b\nselect 2 ;  \n-- end\n')).toEqual([
      '-- a\nselect 1',
      '-- b\nselect 2',
    ]);
  });

  it('distributes every table with a clinic_id column by clinic_id, co-located with clinics', async () => {
    const tenantTables = await names(tenantTablesSql);
    expect(tenantTables).toEqual(expect.arrayContaining(['owners', 'pets', 'idempotency_keys']));
    const byClinicId = plan.distributed.filter((entry) => entry.column === 'clinic_id');
    expect(byClinicId.map((entry) => entry.table).sort()).toEqual(tenantTables);
    expect(byClinicId.every((entry) => entry.colocateWith === 'clinics')).toBe(true);
    expect(plan.distributed.filter((entry) => entry.column !== 'clinic_id')).toEqual([
      { table: 'clinics', column: 'id', colocateWith: undefined },
    ]);
  });

  it('makes every other table a reference table, except vetalyze_migrations', async () => {
    const distributed = new Set(plan.distributed.map((entry) => entry.table));
    const tables = await names(
      `select relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind in ('r', 'p') and relname <> 'vetalyze_migrations'`,
    );
    expect(plan.reference.sort()).toEqual(tables.filter((table) => !distributed.has(table)));
    expect(plan.reference).toEqual(
      expect.arrayContaining([
        'countries',
        'pet_types',
        'subscription_types',
        'payment_methods',
        'users',
      ]),
    );
  });

  it('puts the distribution column in every primary key and unique index of a distributed table', async () => {
    const { rows } = await client.query<{ table: string; index: string; columns: string[] }>(`
      select t.relname as table, i.relname as index,
        array(select a.attname from unnest(x.indkey) k join pg_attribute a
              on a.attrelid = t.oid and a.attnum = k)::text[] as columns
      from pg_index x join pg_class t on t.oid = x.indrelid join pg_class i on i.oid = x.indexrelid
      join pg_namespace n on n.oid = t.relnamespace and n.nspname = 'public'
      where x.indisunique`);
    const column = new Map(plan.distributed.map((entry) => [entry.table, entry.column]));
    const checked = rows.filter((row) => column.has(row.table));
    expect(checked.length).toBeGreaterThanOrEqual(plan.distributed.length);
    expect(
      checked
        .filter((row) => !row.columns.includes(column.get(row.table) ?? ''))
        .map((row) => row.index),
    ).toEqual([]);
  });

  it('drops every foreign key and trigger of the schema first and adds every key back unchanged', async () => {
    const keys = await names(foreignKeysSql);
    const keyNames = keys.map((key) => key.split(' ')[0]).sort();
    expect(plan.droppedKeys.sort()).toEqual(keyNames);
    expect(plan.addedKeys.sort()).toEqual(keyNames);
    expect(plan.droppedTriggers.sort()).toEqual(
      await names(`select tgrelid::regclass || '.' || tgname as name from pg_trigger t
        join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and not t.tgisinternal`),
    );

    // Run the step on plain PostgreSQL, Citus's functions stubbed, and roll back:
    // the keys it adds back are exactly those it dropped, definitions included.
    await client.query('begin');
    try {
      await client.query(`
        create temp table citus_calls (call text);
        create function public.create_reference_table(table_name regclass) returns void
          language sql as $$ insert into citus_calls values ('reference ' || table_name) $$;
        create function public.create_distributed_table(
          table_name regclass, distribution_column text, colocate_with text default 'default')
          returns void language sql as
          $$ insert into citus_calls values (table_name || ' by ' || distribution_column) $$;
        create function public.create_distributed_function(function_name regprocedure)
          returns void language sql as $$ insert into citus_calls values ('function') $$;`);
      await client.query(citusText);
      expect(await names(foreignKeysSql)).toEqual(keys);
      const calls = await names('select call as name from citus_calls');
      expect(calls.length).toBe(plan.reference.length + plan.distributed.length + 1);
    } finally {
      await client.query('rollback');
    }
  });
});
