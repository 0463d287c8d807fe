import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDb } from '../../src/db/db.js';
import type { QueryEvent } from '../../src/db/query-event.js';
import { sql } from '../../src/db/sql.js';
import { DatabaseError, TimeoutError, ValidationError } from '../../src/index.js';
import { createTestDatabase, createTestPool } from '../helpers/database.js';

const database = await createTestDatabase();
const pool = createTestPool(database, { idleInTransactionTimeoutMs: 300 });
const events: QueryEvent[] = [];
const db = createDb(pool, { validateRows: true, onQuery: (event) => events.push(event) });
const unchecked = createDb(pool, { validateRows: false });

const userRow = z.object({ id: z.number(), email: z.string() });
const countUsers = async () =>
  Number((await pool.query('select count(*) as n from users')).rows[0].n);

describe('statements', () => {
  it('return typed rows with the chosen JS types', async () => {
    const row = await db.one(sql.type(
      z.object({ big: z.number(), day: z.string(), at: z.date(), amount: z.string() }),
    )`select 9007199254740991::int8 as big, '2026-02-28'::date as day,
        '2026-02-28T10:00:00Z'::timestamptz as at, 12.50::numeric(10, 2) as amount`);
    expect(row).toEqual({
      big: 9007199254740991,
      day: '2026-02-28',
      at: new Date('2026-02-28T10:00:00Z'),
      amount: '12.50',
    });
  });

  it('refuse a row that does not match its schema, naming the column', async () => {
    const statement = sql.type(userRow)`select 1 as id, 42 as email`;
    const error = await db.one(statement).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as Error).message).toMatch(/email/);
    // With validation off (production) the row is returned as the server sent it.
    expect(await unchecked.one(statement)).toEqual({ id: 1, email: 42 });
  });

  it('hold one/maybeOne/oneFirst to their row and column counts', async () => {
    const none = sql.type(userRow)`select 1 as id, 'a' as email where false`;
    const two = sql.type(userRow)`select g as id, 'a' as email from generate_series(1, 2) g`;
    await expect(db.one(none)).rejects.toThrow(/expected one row, got 0/);
    await expect(db.maybeOne(two)).rejects.toThrow(/expected at most one row, got 2/);
    expect(await db.maybeOne(none)).toBeNull();
    expect(await db.maybeOneFirst(none)).toBeNull();
    await expect(db.oneFirst(sql.type(userRow)`select 1 as id, 'a' as email`)).rejects.toThrow(
      /one column, got 2/,
    );
    expect(await db.oneFirst(sql.type(z.object({ n: z.number() }))`select 7 as n`)).toBe(7);
  });

  it('send prepared statements under their name and report each to onQuery', async () => {
    events.length = 0;
    const byId = (id: number) =>
      sql.prepared('test_user_by_id', userRow)`select id, email from users where id = ${id}`;
    await db.maybeOne(byId(1));
    await db.maybeOne(byId(2));
    await db.query(sql.type(userRow)`select * from no_such_table`).catch(() => {});
    expect(
      events.map(({ name, failed, values, errorCode }) => ({ name, failed, values, errorCode })),
    ).toEqual([
      { name: 'test_user_by_id', failed: false, values: [1], errorCode: undefined },
      { name: 'test_user_by_id', failed: false, values: [2], errorCode: undefined },
      // 42P01: undefined_table, the server's own SQLSTATE.
      { name: undefined, failed: true, values: [], errorCode: '42P01' },
    ]);
    expect(events[0]?.sql).toContain('where id = $1');
  });

  it('refuse a second text under a prepared statement’s name, never send the first', async () => {
    const one = z.object({ n: z.number() });
    expect(await db.one(sql.prepared('test_renamed', one)`select 1 as n`)).toEqual({ n: 1 });
    const error = await db
      .one(sql.prepared('test_renamed', one)`select 2 as n`)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as Error).message).toMatch(/test_renamed/);
  });
});

describe('transactions', () => {
  const insertUser = (email: string) => sql.type(userRow)`
    insert into users (email, full_name, role) values (${email}, 'T', 'doctor')
    returning id, email`;

  it('commit every statement together', async () => {
    const before = await countUsers();
    await db.transaction(async (tx) => {
      await tx.one(insertUser('tx-a@example.com'));
      await tx.one(insertUser('tx-b@example.com'));
    });
    expect(await countUsers()).toBe(before + 2);
  });

  it('roll back everything when a statement fails, with the mapped error', async () => {
    const before = await countUsers();
    const error = await db
      .transaction(async (tx) => {
        await tx.one(insertUser('tx-c@example.com'));
        await tx.one(insertUser('not an email'));
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect(await countUsers()).toBe(before);
    expect(pool.idleCount).toBe(pool.totalCount);
  });

  it('roll back when the handler throws, and rethrow its error as it is', async () => {
    const before = await countUsers();
    const thrown = new ValidationError([{ field: 'x', message: 'no' }]);
    const error = await db
      .transaction(async (tx) => {
        await tx.one(insertUser('tx-d@example.com'));
        throw thrown;
      })
      .catch((caught: unknown) => caught);
    expect(error).toBe(thrown);
    expect(await countUsers()).toBe(before);
  });

  it('end with a TimeoutError when left idle past the timeout, and the pool recovers', async () => {
    const error = await db
      .transaction(async (tx) => {
        await tx.one(insertUser('tx-e@example.com'));
        await new Promise((resolve) => setTimeout(resolve, 800));
        await tx.one(insertUser('tx-f@example.com'));
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
    const emails = await db.any(
      sql.type(userRow)`select id, email from users where email like 'tx-_@example.com'`,
    );
    expect(emails.map((row) => row.email).sort()).toEqual(['tx-a@example.com', 'tx-b@example.com']);
  });
});
