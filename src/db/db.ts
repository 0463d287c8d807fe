import type pg from 'pg';
import { DatabaseError } from '../errors.js';
import { toVetalyzeError } from './map-error.js';
import { type QueryEvent, redacted } from './query-event.js';
import type { QuerySqlToken } from './sql.js';

/** Any Standard Schema, e.g. a zod schema. */
type Schema = QuerySqlToken['parser'];
/** A statement built with slonik's `sql.type(schema)` or `sql.prepared(name, schema)`. */
type Statement<RowSchema extends Schema> = QuerySqlToken<RowSchema>;
type Row<RowSchema extends Schema> = NonNullable<RowSchema['~standard']['types']>['output'];
type FirstColumn<RowSchema extends Schema> = Row<RowSchema>[keyof Row<RowSchema>];

/**
 * The statement methods every repository uses. Each sends exactly one
 * statement; every failure is one of the library's error classes.
 */
export interface Queries {
  /** The statement's only row; no row or several is a DatabaseError. */
  one<RowSchema extends Schema>(statement: Statement<RowSchema>): Promise<Row<RowSchema>>;
  /** The statement's row or null; several rows is a DatabaseError. */
  maybeOne<RowSchema extends Schema>(
    statement: Statement<RowSchema>,
  ): Promise<Row<RowSchema> | null>;
  /** Every row, possibly none. */
  any<RowSchema extends Schema>(
    statement: Statement<RowSchema>,
  ): Promise<readonly Row<RowSchema>[]>;
  /** The single column of the statement's only row. */
  oneFirst<RowSchema extends Schema>(
    statement: Statement<RowSchema>,
  ): Promise<FirstColumn<RowSchema>>;
  /** The single column of the statement's row, or null when there is no row. */
  maybeOneFirst<RowSchema extends Schema>(
    statement: Statement<RowSchema>,
  ): Promise<FirstColumn<RowSchema> | null>;
  /** The rows and the count of rows returned or changed. */
  query<RowSchema extends Schema>(
    statement: Statement<RowSchema>,
  ): Promise<{ rows: readonly Row<RowSchema>[]; rowCount: number }>;
}

/** {@link Queries} on a pool, plus transactions. */
export interface Db extends Queries {
  /** Runs `handler` in one transaction on one connection: commit on success, rollback on throw. */
  transaction<Result>(handler: (tx: Queries) => Promise<Result>): Promise<Result>;
}

/** What every statement of one `createVetalyze` shares. */
export interface DbOptions {
  /** Called after every statement, with password hashes redacted. */
  readonly onQuery?: ((event: QueryEvent) => void) | undefined;
  /** Check every result row against its statement's schema. */
  readonly validateRows: boolean;
}

/** slonik's tag numbers its placeholders `$slonik_N`; the server reads `$N`. */
export function toDriverText(text: string): string {
  return text.replaceAll('$slonik_', '$');
}

/**
 * Driver text of each prepared statement, by name: its text never changes, so
 * it is converted once, not on every call (a scan of 1-2 KB of SQL).
 */
const preparedTexts = new Map<string, { readonly source: string; readonly text: string }>();

function driverTextOf(statement: Statement<Schema>): string {
  if (!statement.name) return toDriverText(statement.sql);
  const known = preparedTexts.get(statement.name);
  // A different text under a known name is sent as it is; node-postgres refuses it.
  if (known?.source === statement.sql) return known.text;
  const text = toDriverText(statement.sql);
  if (!known) preparedTexts.set(statement.name, { source: statement.sql, text });
  return text;
}

function checkedRow(statement: Statement<Schema>, row: unknown): unknown {
  const result = statement.parser['~standard'].validate(row);
  if (result instanceof Promise) throw new DatabaseError('row schemas must be synchronous');
  if (!result.issues) return result.value;
  const [issue] = result.issues;
  const path = issue?.path?.map((key) => String(typeof key === 'object' ? key.key : key));
  throw new DatabaseError(
    `a result row does not match its schema: ${path?.join('.') || 'row'}: ${issue?.message}`,
    { cause: result.issues },
  );
}

function firstColumn(row: object): unknown {
  const values = Object.values(row);
  if (values.length !== 1) {
    throw new DatabaseError(`expected a row of one column, got ${values.length} columns`);
  }
  return values[0];
}

function exactlyOne<RowType>(rows: readonly RowType[]): RowType {
  if (rows.length !== 1) throw new DatabaseError(`expected one row, got ${rows.length}`);
  return rows[0] as RowType;
}

function atMostOne<RowType>(rows: readonly RowType[]): RowType | null {
  if (rows.length > 1) throw new DatabaseError(`expected at most one row, got ${rows.length}`);
  return rows[0] ?? null;
}

/**
 * The statement methods on `target`: a pool (each statement borrows a
 * connection for its own duration) or a transaction's connection.
 */
function createQueries(target: pg.Pool | pg.PoolClient, options: DbOptions): Queries {
  const { onQuery, validateRows } = options;

  const run = async (statement: Statement<Schema>) => {
    const text = driverTextOf(statement);
    const values = statement.values as unknown[];
    const { name } = statement;
    const started = onQuery ? performance.now() : 0;
    const report = (rowCount: number, failed: boolean) =>
      onQuery?.({
        sql: text,
        values: redacted(values),
        name,
        durationMs: performance.now() - started,
        rowCount,
        failed,
      });
    let result: pg.QueryResult;
    try {
      result = await target.query(name ? { name, text, values } : { text, values });
    } catch (error) {
      report(0, true);
      throw toVetalyzeError(error);
    }
    const rowCount = result.rowCount ?? 0;
    report(rowCount, false);
    const rows: unknown[] = validateRows
      ? result.rows.map((row) => checkedRow(statement, row))
      : result.rows;
    return { rows, rowCount };
  };

  // The casts restate what `checkedRow` proves, or what the statement's schema
  // promises when validation is off (production).
  return {
    one: async (statement) => exactlyOne((await run(statement)).rows) as never,
    maybeOne: async (statement) => atMostOne((await run(statement)).rows) as never,
    any: async (statement) => (await run(statement)).rows as never,
    oneFirst: async (statement) =>
      firstColumn(exactlyOne((await run(statement)).rows) as object) as never,
    maybeOneFirst: async (statement) => {
      const row = atMostOne((await run(statement)).rows);
      return (row === null ? null : firstColumn(row as object)) as never;
    },
    query: async (statement) => (await run(statement)) as never,
  };
}

async function inTransaction<Result>(
  pool: pg.Pool,
  options: DbOptions,
  handler: (tx: Queries) => Promise<Result>,
): Promise<Result> {
  const client = await pool.connect().catch((error: unknown) => {
    throw toVetalyzeError(error);
  });
  // A connection the server drops between statements (idle-in-transaction
  // timeout) reports it as an event; it must not reach the host process.
  let dropped: Error | undefined;
  // The first event says why (e.g. 25P03); later ones only that the socket closed.
  const onError = (error: Error) => {
    dropped ??= error;
  };
  client.on('error', onError);
  let rollbackFailed = false;
  try {
    await client.query('begin');
    const result = await handler(createQueries(client, options));
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => {
      rollbackFailed = true;
    });
    throw toVetalyzeError(dropped ?? error);
  } finally {
    client.off('error', onError);
    // A broken connection is destroyed, not returned to the pool.
    client.release(rollbackFailed || dropped !== undefined);
  }
}

/** The statement methods and transactions of one pool (see {@link Db}). */
export function createDb(pool: pg.Pool, options: DbOptions): Db {
  return {
    ...createQueries(pool, options),
    transaction: (handler) => inTransaction(pool, options, handler),
  };
}
