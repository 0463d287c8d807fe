import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDb } from '../../src/db/db.js';
import { preparedStatement } from '../../src/db/prepared.js';
import { sql } from '../../src/db/sql.js';
import { createTestDatabase, createTestPool } from '../helpers/database.js';

const database = await createTestDatabase();
const pool = createTestPool(database, { poolSize: 1 });
const db = createDb(pool, { validateRows: true });

const pair = z.object({ a: z.number(), b: z.string(), again: z.number() });

describe('preparedStatement', () => {
  it('renders the text once and binds each call’s values in place', async () => {
    let builds = 0;
    const statement = preparedStatement('test_pair', pair, (p: { a: number; b: string }) => {
      builds++;
      return sql.fragment`select ${p.a}::int as a, ${p.b}::text as b, ${p.a}::int + 1 as again`;
    });
    expect(await db.one(statement({ a: 1, b: 'x' }))).toEqual({ a: 1, b: 'x', again: 2 });
    expect(await db.one(statement({ a: 41, b: 'y' }))).toEqual({ a: 41, b: 'y', again: 42 });
    expect(builds).toBe(1);
    expect(statement({ a: 7, b: 'z' })).toMatchObject({ name: 'test_pair', values: [7, 'z', 7] });
  });

  it('refuses a builder that computes a value or binds a constant, naming the statement', () => {
    const computed = preparedStatement(
      'test_computed',
      pair,
      (p: { limit: number }) => sql.fragment`select 1 limit ${p.limit + 1}`,
    );
    expect(() => computed({ limit: 20 })).toThrow(
      /test_computed: value \$1 is not one of its parameters/,
    );
    const constant = preparedStatement(
      'test_constant',
      pair,
      (p: { id: number }) => sql.fragment`select ${p.id}::int as a, ${'fixed'} as b`,
    );
    expect(() => constant({ id: 1 })).toThrow(/test_constant: value \$2/);
    const joined = preparedStatement(
      'test_joined',
      pair,
      (p: { a: string; b: string }) => sql.fragment`select ${p.a + p.b} as b`,
    );
    expect(() => joined({ a: 'x', b: 'y' })).toThrow(/test_joined/);
  });
});
