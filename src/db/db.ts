import pg from 'pg';
import { DatabaseError } from '../errors.js';
import { failureCode, isConnectionFailure, toVetalyzeError } from './map-error.js';
import { borrow, borrowClient } from './pool.js';
import { type QueryEvent, redacted, type SlowQueryEvent } from './query-event.js';
import type { QuerySqlToken } from './sql.js';
import { withoutLabel } from './statement.js';

/** Any Standard Schema, e.g. a zod schema. */
type Schema = QuerySqlToken['parser'];
/** A statement built by src/db/statement.ts (a slonik query token, named when prepared). */
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
  /** Whether result rows are checked against their schemas (the `validateRows` option). */
  readonly checksRows: boolean;
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
  /** The server's name in events: 'primary' or 'replica:N'. @default 'primary' */
  readonly server?: string;
  /** Called for each statement that took `slowQueryMs` or longer, without its values. */
  readonly onSlowQuery?: ((event: SlowQueryEvent) => void) | undefined;
  /** @default 100 */
  readonly slowQueryMs?: number;
  /** Send each statement as Citus mode does ({@link citusText}). @default false */
  readonly citus?: boolean;
}

/** A page size as `limitSql` writes it: `limit (select $slonik_N::int8)`. */
const hiddenLimit = /\blimit \(select (\$slonik_\d+)::int8\)/g;

/**
 * A statement's text as Citus mode sends it: each `limit (select $n::int8)`
 * of `limitSql` as `limit $n::int8`. Citus refuses a subquery in LIMIT in a
 * query over several shards ("subquery in LIMIT is not supported in
 * multi-shard queries"), and pushes a plain `limit $n` down to every shard.
 */
export function citusText(text: string): string {
  return text.replace(hiddenLimit, (_limit, parameter: string) => `limit ${parameter}::int8`);
}

/** slonik's tag numbers its placeholders `$slonik_N`; the server reads `$N`. */
export function toDriverText(text: string): string {
  return text.replaceAll('$slonik_', '$');
}

/**
 * Driver text of each prepared statement, by name: its text never changes, so
 * it is converted once, not on every call (a scan of 1-2 KB of SQL).
 */
type PreparedTexts = Map<string, { readonly source: string; readonly text: string }>;
const preparedTexts: PreparedTexts = new Map();
/** The same for Citus mode ({@link citusText}). */
const citusPreparedTexts: PreparedTexts = new Map();

function driverTextOf(statement: Statement<Schema>, citus: boolean): string {
  const convert = (source: string) => toDriverText(citus ? citusText(source) : source);
  if (!statement.name) return convert(statement.sql);
  const texts = citus ? citusPreparedTexts : preparedTexts;
  const known = texts.get(statement.name);
  // A different text under a known name is sent as it is; node-postgres refuses it.
  if (known?.source === statement.sql) return known.text;
  const text = convert(statement.sql);
  if (!known) texts.set(statement.name, { source: statement.sql, text });
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
 * Words that can change data or session state. A statement with none of them
 * that starts with SELECT is read-only; the test errs towards "may write"
 * (a false "may write" only costs a retry).
 */
const mayChangeData =
  /\b(insert|update|delete|merge|truncate|into|copy|call|do|lock|nextval|setval|pg_advisory\w*|pg_notify|set_config|share)\b|;/i;

/**
 * True when `text` provably changes nothing, so running it twice is harmless.
 * The statement's name is left out: it names the operation (`clinic.owners.update`),
 * not what the text does.
 */
export function isReadOnly(text: string): boolean {
  const body = withoutLabel(text);
  return /^\s*select\b/i.test(body) && !mayChangeData.test(body);
}

/** One statement on a borrowed connection; the connection goes back unless the connection itself failed. */
function sendOnPool(pool: pg.Pool, config: pg.QueryConfig): Promise<pg.QueryResult> {
  // Callbacks, not promises: one promise per call, as pool.query has.
  return new Promise((resolve, reject) => {
    borrow(pool, (borrowError, client) => {
      if (!client) {
        reject(borrowError);
        return;
      }
      client.query(config, (error: Error | undefined, result: pg.QueryResult) => {
        // pool.query destroys the connection after ANY error, so a unique
        // violation cost a reconnect: about 22 ms against 1 ms. Only a failed
        // connection is destroyed; after a statement error it is reused.
        client.release(error && isConnectionFailure(error) ? error : undefined);
        if (error) reject(error);
        else resolve(result);
      });
    });
  });
}

/**
 * Sends on the pool; a read-only statement whose connection failed (a backend
 * terminated while idle in the pool, a server restart) is sent once more on
 * another connection. A write is never sent twice: it may have committed
 * before its connection failed.
 */
async function sendWithRetry(pool: pg.Pool, config: pg.QueryConfig): Promise<pg.QueryResult> {
  try {
    return await sendOnPool(pool, config);
  } catch (error) {
    if (!isConnectionFailure(error) || !isReadOnly(config.text)) throw error;
    return sendOnPool(pool, config);
  }
}

/**
 * The statement methods on `target`: a pool (each statement borrows a
 * connection for its own duration) or a transaction's connection.
 */
function createQueries(target: pg.Pool | pg.PoolClient, options: DbOptions): Queries {
  const {
    onQuery,
    validateRows,
    server = 'primary',
    onSlowQuery,
    slowQueryMs = 100,
    citus = false,
  } = options;
  const send =
    target instanceof pg.Pool
      ? (config: pg.QueryConfig) => sendWithRetry(target, config)
      : (config: pg.QueryConfig) => target.query(config);

  const run = async (statement: Statement<Schema>) => {
    const text = driverTextOf(statement, citus);
    const values = statement.values as unknown[];
    const { name } = statement;
    const started = onQuery || onSlowQuery ? performance.now() : 0;
    const report = (rowCount: number, error?: unknown) => {
      if (!onQuery && !onSlowQuery) return;
      const durationMs = performance.now() - started;
      const failed = error !== undefined;
      onQuery?.({
        sql: text,
        values: redacted(values),
        name,
        durationMs,
        rowCount,
        failed,
        errorCode: failed ? failureCode(error) : undefined,
        server,
      });
      if (onSlowQuery && durationMs >= slowQueryMs)
        onSlowQuery({ operation: name, sql: text, durationMs, server, failed });
    };
    let result: pg.QueryResult;
    try {
      result = await send(name ? { name, text, values } : { text, values });
    } catch (error) {
      report(0, error);
      throw toVetalyzeError(error);
    }
    const rowCount = result.rowCount ?? 0;
    report(rowCount);
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
    checksRows: validateRows,
  };
}

async function inTransaction<Result>(
  pool: pg.Pool,
  options: DbOptions,
  handler: (tx: Queries) => Promise<Result>,
  attempt = 1,
): Promise<Result> {
  const client = await borrowClient(pool).catch((error: unknown) => {
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
  try {
    await client.query('begin');
  } catch (error) {
    client.off('error', onError);
    client.release(error instanceof Error ? error : true);
    // BEGIN changes nothing and the handler has not run: a connection that
    // failed here is replaced once, whatever the transaction would write.
    if (attempt === 1 && isConnectionFailure(error))
      return inTransaction(pool, options, handler, attempt + 1);
    throw toVetalyzeError(error);
  }
  let rollbackFailed = false;
  try {
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
