import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { citusText, createDb, isReadOnly, toDriverText } from '../../src/db/db.js';
import { limitSql, sql } from '../../src/db/sql.js';
import { dynamicStatement, statement, statementLabel } from '../../src/db/statement.js';
import { createTestDatabase, createTestPool } from '../helpers/database.js';

const database = await createTestDatabase();
const pool = createTestPool(database, { poolSize: 1 });
const db = createDb(pool, { validateRows: true });

const pair = z.object({ a: z.number(), b: z.string(), again: z.number() });

describe('statement', () => {
  it('renders the text once and binds each call’s values in place, prepared or not', async () => {
    for (const prepared of [true, false]) {
      let builds = 0;
      const name = `test.statement.pair:${prepared ? 'prepared' : 'unnamed'}`;
      const pairOf = statement(name, pair, { prepared }, (p: { a: number; b: string }) => {
        builds++;
        return sql.fragment`select ${p.a}::int as a, ${p.b}::text as b, ${p.a}::int + 1 as again`;
      });
      expect(await db.one(pairOf({ a: 1, b: 'x' }))).toEqual({ a: 1, b: 'x', again: 2 });
      expect(await db.one(pairOf({ a: 41, b: 'y' }))).toEqual({ a: 41, b: 'y', again: 42 });
      expect(builds).toBe(1);
      const token = pairOf({ a: 7, b: 'z' });
      expect(token.values).toEqual([7, 'z', 7]);
      expect(token.name).toBe(prepared ? name : undefined);
      expect(token.sql.startsWith('select')).toBe(true);
      expect(token.sql.endsWith(`\n/* vetalyze ${name} */`)).toBe(true);
      expect(statementLabel(token.sql)).toBe(name);
    }
  });

  it('labels a dynamic statement and never prepares it', async () => {
    const row = z.object({ n: z.number() });
    const made = dynamicStatement(
      'test.statement.dynamic',
      row,
      sql.fragment`select ${3}::int as n`,
    );
    expect(made.name).toBeUndefined();
    expect(statementLabel(made.sql)).toBe('test.statement.dynamic');
    expect(await db.one(made)).toEqual({ n: 3 });
  });

  it('reads the label of a text, and nothing from a text without one', () => {
    expect(statementLabel('with x as (select 1)\n/* vetalyze clinic.owners.create:keyed */')).toBe(
      'clinic.owners.create:keyed',
    );
    expect(statementLabel('select 1')).toBeUndefined();
    expect(statementLabel('select 1\n/* other */')).toBeUndefined();
    // A leading label is not the library's: pg_stat_statements would cut it off.
    expect(statementLabel('/* vetalyze clinic.owners.get */ select 1')).toBeUndefined();
  });

  it('judges read-only by the text after the label, not by the name', () => {
    expect(isReadOnly('select 1\n/* vetalyze clinic.pets.update:version */')).toBe(true);
    expect(isReadOnly('update owners set x = 1\n/* vetalyze clinic.owners.get */')).toBe(false);
  });

  it('refuses a name that is not <scope>.<repository>.<call>[:<variant>], and a name given twice', () => {
    for (const bad of [
      'test_pair',
      'test.pair',
      'test.statement.pair:',
      'a.b.c */ drop',
      'a.b.C',
    ]) {
      expect(() => statement(bad, pair, { prepared: true }, () => sql.fragment`select 1`)).toThrow(
        /is not <scope>/,
      );
    }
    statement('test.statement.twice', pair, { prepared: false }, () => sql.fragment`select 1`);
    expect(() =>
      statement('test.statement.twice', pair, { prepared: false }, () => sql.fragment`select 1`),
    ).toThrow(/defined twice/);
  });

  it('refuses a builder that computes a value or binds a constant, naming the statement', () => {
    const computed = statement(
      'test.statement.computed',
      pair,
      { prepared: true },
      (p: { limit: number }) => sql.fragment`select 1 limit ${p.limit + 1}`,
    );
    expect(() => computed({ limit: 20 })).toThrow(
      /test\.statement\.computed: value \$1 is not one of its parameters/,
    );
    const constant = statement(
      'test.statement.constant',
      pair,
      { prepared: false },
      (p: { id: number }) => sql.fragment`select ${p.id}::int as a, ${'fixed'} as b`,
    );
    expect(() => constant({ id: 1 })).toThrow(/test\.statement\.constant: value \$2/);
    const joined = statement(
      'test.statement.joined',
      pair,
      { prepared: true },
      (p: { a: string; b: string }) => sql.fragment`select ${p.a + p.b} as b`,
    );
    expect(() => joined({ a: 'x', b: 'y' })).toThrow(/test\.statement\.joined/);
  });
});

describe('citusText (Citus mode)', () => {
  it('sends every page size of limitSql as a plain limit, and leaves other text alone', () => {
    const page = statement(
      'test.citusText.page',
      z.object({ id: z.number() }),
      { prepared: true },
      (p: { bound: number; limit: number; window: number }) => sql.fragment`
        select id from (select id from clinics where id < ${p.bound} ${limitSql(p.window)}) w
        order by id desc ${limitSql(p.limit)}`,
    );
    const text = toDriverText(citusText(page({ bound: 9, limit: 21, window: 210 }).sql));
    expect(text).toContain('where id < $1 limit $2::int8) w');
    expect(text).toContain('order by id desc limit $3::int8');
    expect(text).not.toContain('(select $');
    const plain = 'select (select $slonik_1::int8) as n limit 5';
    expect(citusText(plain)).toBe(plain);
  });
});
