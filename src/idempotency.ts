/**
 * Idempotency keys: a write given `idempotencyKey` stores, in the same
 * statement (or transaction) as its effect, a row of `idempotency_keys` with
 * its result and a hash of its request (sql/0009_idempotency_keys.sql). A call
 * with a key that holds a live row sends no second effect: it returns the
 * stored result, or a ConflictError (`idempotencyKey`) when the request differs.
 *
 * How a keyed statement is built: `idem_live` reads the key's live row (the
 * effect's CTEs are gated on it being absent, and the statement returns it
 * instead), `idem_stale` deletes the key's expired row, `idem_purge` a few other
 * expired keys of the scope, and the statement ends by inserting the key row
 * from the effect's result. Two calls that race with one new key both see no
 * live row; the second one's insert waits for the first to commit and fails
 * with a unique violation (or an earlier unique index of the effect fails it),
 * so its effect rolls back and {@link runIdempotent} reads the winner's row.
 */

import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Queries } from './db/db.js';
import { type FragmentSqlToken, sql } from './db/sql.js';
import { statement } from './db/statement.js';
import { ConflictError, DatabaseError, ValidationError } from './errors.js';
import { parseInput, text } from './validation.js';

/**
 * An idempotency key: 1 to 200 characters under the text rule, kept exactly as
 * given (no NFC: a key is an opaque token, two spellings are two keys).
 */
export const idempotencyKeySchema = text({ nfc: false }).min(1).max(200);

/** The second argument of the keyed writes: `{ idempotencyKey? }`. */
export const writeOptionsSchema = z
  .strictObject({ idempotencyKey: idempotencyKeySchema.optional() })
  .optional();

/** Options of a write that a caller may retry: `owners.create`, `owners.import`, `clinics.create`, `subscriptions.activate`, `subscriptions.renew`. */
export interface WriteOptions {
  /**
   * Makes the write safe to retry: the same key again (within
   * `idempotencyTtlMs`) returns the first call's result with no second effect,
   * also when both calls run at once; the same key with a different request is
   * a ConflictError (`idempotencyKey`). 1 to 200 characters, e.g. a UUID.
   */
  idempotencyKey?: string;
}

/**
 * Splits a write's input from its key: the key may be the input's
 * `idempotencyKey` field or the options argument's; both are accepted, so a
 * key given either way is never ignored. The options are checked with
 * `optionsSchema` (a write's own options, besides the key) and returned.
 * @throws ValidationError (`idempotencyKey`) when malformed, or given twice with two values
 */
export function splitKey<Options extends WriteOptions = WriteOptions>(
  input: unknown,
  options: unknown,
  optionsSchema: z.ZodType<Options | undefined> = writeOptionsSchema as z.ZodType<
    Options | undefined
  >,
): { input: unknown; key: string | undefined; options: Options | undefined } {
  const parsedOptions = options === undefined ? undefined : parseInput(optionsSchema, options);
  const fromOptions = parsedOptions?.idempotencyKey;
  if (input === null || typeof input !== 'object' || !Object.hasOwn(input, 'idempotencyKey')) {
    return { input, key: fromOptions, options: parsedOptions };
  }
  const { idempotencyKey, ...rest } = input as { idempotencyKey: unknown };
  const fromInput =
    idempotencyKey === undefined
      ? undefined
      : parseInput(idempotencyKeySchema, idempotencyKey, 'idempotencyKey');
  if (fromInput !== undefined && fromOptions !== undefined && fromInput !== fromOptions) {
    throw new ValidationError([
      { field: 'idempotencyKey', message: 'is given in the input and in the options, differently' },
    ]);
  }
  return { input: rest, key: fromInput ?? fromOptions, options: parsedOptions };
}

/** JSON with object keys sorted at every level, so equal requests hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

/** An incremental sha256 of a request: the operation, then each part's canonical JSON. */
export function requestHasher(operation: string) {
  const hash = createHash('sha256').update(operation);
  return {
    add(part: unknown) {
      hash.update('\n').update(canonicalJson(part));
      return this;
    },
    /** Hex, as the statements bind it (`decode(..., 'hex')`). */
    digest: () => hash.digest('hex'),
  };
}

/** A keyed call: where its key lives and what it asks. */
export interface KeyedCall {
  /** The clinic id, or 0 for platform-wide keys (clinics.create). */
  readonly keyScope: number;
  readonly key: string;
  readonly operation: string;
  /** {@link requestHasher}'s hex digest. */
  readonly requestHash: string;
  /** How long the key is kept, in ms (`idempotencyTtlMs`). */
  readonly ttlMs: number;
}

/**
 * The first CTEs of a keyed statement: `idem_live` (the key's live row: its
 * result and whether the request matches), `idem_stale` (deletes the key's
 * expired row) and `idem_purge` (deletes up to 4 other expired keys of the
 * scope, skipping rows another call holds, so purges never wait on each other).
 */
export function keyCtes(p: KeyedCall): FragmentSqlToken {
  return sql.fragment`
    idem_live as (
      select k.result, k.request_hash = decode(${p.requestHash}, 'hex') as "samePayload"
      from idempotency_keys k
      where k.clinic_id = ${p.keyScope} and k.key = ${p.key} and k.expires_at > now()
    ), idem_stale as (
      ${deleteStaleKeySql(p)}
      returning 1
    ), idem_purge as (
      ${purgeKeysSql(p)}
    )`;
}

/** Deletes the key's expired row: `idem_stale`, and a statement of its own in Citus mode. */
function deleteStaleKeySql(p: { keyScope: number; key: string }): FragmentSqlToken {
  return sql.fragment`
    delete from idempotency_keys k
    where k.clinic_id = ${p.keyScope} and k.key = ${p.key} and k.expires_at <= now()`;
}

/** Deletes up to 4 other expired keys of the scope: `idem_purge`, and a statement in Citus mode. */
function purgeKeysSql(p: { keyScope: number; key: string }): FragmentSqlToken {
  return sql.fragment`
    delete from idempotency_keys k
    using (
      select e.key from idempotency_keys e
      where e.clinic_id = ${p.keyScope} and e.expires_at <= now() and e.key <> ${p.key}
      limit 4
      for update skip locked
    ) expired
    where k.clinic_id = ${p.keyScope} and k.key = expired.key`;
}

/**
 * The CTE `idem_saved` that inserts the key row with `result` (a jsonb
 * expression over `source`). It reads `idem_stale`, so the key's expired row is
 * gone before the insert. A plain INSERT on purpose: a live row committed by a
 * racing call must fail this statement (23505), not be skipped.
 */
export function saveKeyCte(
  p: KeyedCall,
  result: FragmentSqlToken,
  source: FragmentSqlToken,
): FragmentSqlToken {
  return sql.fragment`
    idem_saved as (
      insert into idempotency_keys (clinic_id, key, operation, request_hash, result, expires_at)
      select ${p.keyScope}, ${p.key}, ${p.operation}, decode(${p.requestHash}, 'hex'), ${result},
        now() + interval '1 millisecond' * ${p.ttlMs}::float8
      from ${source}
      cross join (select count(*) from idem_stale) stale_deleted
      returning 1
    )`;
}

/** The last SELECT of a keyed statement: the new result, or the live key's. */
function keyedResultSelect(result: FragmentSqlToken, source: FragmentSqlToken) {
  return sql.fragment`
    select ${result} as result, true as "samePayload", false as replayed from ${source}
    union all
    select l.result, l."samePayload", true from idem_live l`;
}

/** What a keyed statement returns: the result as jsonb, and whether it is a stored one. */
export const keyedRow = z.object({
  result: z.unknown(),
  samePayload: z.boolean(),
  replayed: z.boolean(),
});

/** A key's live row, read after a keyed statement lost a race or changed nothing. */
const lookupKey = statement(
  'shared.idempotency.lookup',
  keyedRow,
  { prepared: true },
  (p: { keyScope: number; key: string; requestHash: string }) => sql.fragment`
    select k.result, k.request_hash = decode(${p.requestHash}, 'hex') as "samePayload",
      true as replayed
    from idempotency_keys k
    where k.clinic_id = ${p.keyScope} and k.key = ${p.key} and k.expires_at > now()`,
);

/**
 * How a keyed write's result is read back from jsonb: timestamps arrive as ISO
 * strings and become Dates (the driver parses timestamptz columns with `new
 * Date` too).
 */
export interface StoredResult<Output> {
  /** Revives the timestamps, then checks the value against the row schema. */
  readonly schema: z.ZodType<Output>;
  /**
   * Only revives the timestamps: for a result the keyed statement has just
   * made, when rows are not checked (`validateRows: false`), as every other
   * statement's rows are not. A stored result (a replay) is always checked:
   * another version of the library may have stored it.
   */
  readonly revive: (value: unknown) => Output;
}

/** The {@link StoredResult} of results shaped as `schema`. */
export function storedResult<Schema extends z.ZodObject>(
  schema: Schema,
): StoredResult<z.output<Schema>> {
  const dateKeys = Object.entries(schema.shape)
    .filter(
      ([, field]) =>
        field instanceof z.ZodDate ||
        (field instanceof z.ZodNullable && field.unwrap() instanceof z.ZodDate),
    )
    .map(([key]) => key);
  const revive = (value: unknown) => {
    if (value === null || typeof value !== 'object') return value;
    const row: Record<string, unknown> = { ...value };
    for (const key of dateKeys) {
      if (typeof row[key] === 'string') row[key] = new Date(row[key]);
    }
    return row;
  };
  return {
    schema: z.preprocess(revive, schema) as unknown as z.ZodType<z.output<Schema>>,
    revive: revive as (value: unknown) => z.output<Schema>,
  };
}

type KeyedRow = z.infer<typeof keyedRow>;

/** The stored or new result of a keyed row, or a ConflictError when the request differs. */
export function keyedOutcome<Output>(
  row: KeyedRow,
  call: KeyedCall,
  stored: StoredResult<Output>,
  checkRows: boolean,
): Output {
  if (!row.samePayload) {
    throw new ConflictError(
      `idempotency key ${JSON.stringify(call.key)} was used with a different request ` +
        '(another operation or other input): use a new key for a new request',
      'idempotencyKey',
    );
  }
  if (!row.replayed && !checkRows) return stored.revive(row.result);
  const parsed = stored.schema.safeParse(row.result);
  if (!parsed.success) {
    throw new DatabaseError(`a stored idempotent result does not match its schema`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** The key's live row as an outcome, or undefined when there is none. */
export async function replayKey<Output>(
  db: Queries,
  call: KeyedCall,
  stored: StoredResult<Output>,
): Promise<Output | undefined> {
  const row = await db.maybeOne(lookupKey(call));
  return row ? keyedOutcome(row, call, stored, db.checksRows) : undefined;
}

/**
 * Runs a keyed statement (`send`) and returns its outcome. When it lost a race
 * (a ConflictError: the key's unique violation, or an index of the effect such
 * as one open subscription per clinic) or changed nothing, the key is read once
 * more: a winner's row is the answer; without one, the error stands or
 * `refused` explains why nothing changed.
 */
export async function runIdempotent<Output>(
  db: Queries,
  call: KeyedCall,
  stored: StoredResult<Output>,
  send: () => Promise<KeyedRow | null>,
  refused: () => Promise<Output>,
): Promise<Output> {
  let row: KeyedRow | null;
  try {
    row = await send();
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const replayed = await replayKey(db, call, stored);
    if (replayed === undefined) throw error;
    return replayed;
  }
  if (row) return keyedOutcome(row, call, stored, db.checksRows);
  return (await replayKey(db, call, stored)) ?? refused();
}

/*
 * Citus mode (the `citus` option): Citus 13 plans each data-modifying CTE of a
 * keyed statement on its own (7 to 9 tasks), so a keyed write runs as a
 * transaction of one-task statements instead ({@link keyedTransaction}): the
 * key's live row, the expired rows deleted, the effect, and the key row saved
 * last, so a racing call with the same new key fails on the key's unique index
 * (23505) and rolls its effect back, as the one statement does.
 */

/** Citus mode: deletes the key's expired row (`idem_stale` of {@link keyCtes}). */
const deleteStaleKey = statement(
  'shared.idempotency.deleteStale',
  z.object({}),
  { prepared: true },
  deleteStaleKeySql,
);

/** Citus mode: deletes up to 4 other expired keys of the scope (`idem_purge` of {@link keyCtes}). */
const purgeKeys = statement(
  'shared.idempotency.purge',
  z.object({}),
  { prepared: true },
  purgeKeysSql,
);

/** Citus mode: saves the key row with its result (`idem_saved` of {@link saveKeyCte}). */
const saveKey = statement(
  'shared.idempotency.save',
  z.object({}),
  { prepared: true },
  (p: KeyedCall & { result: string }) => sql.fragment`
    insert into idempotency_keys (clinic_id, key, operation, request_hash, result, expires_at)
    values (${p.keyScope}, ${p.key}, ${p.operation}, decode(${p.requestHash}, 'hex'),
      ${p.result}::jsonb, now() + interval '1 millisecond' * ${p.ttlMs}::float8)`,
);

/**
 * Citus mode: a keyed write as a transaction on `tx` (which must be one):
 * the key's live row if it has one (nothing else is sent), else the key's
 * expired rows deleted, `effect`, and the key row saved with the effect's
 * result as JSON. When `effect` changed nothing (null: a refused transition),
 * no key is saved and the answer is null. The row {@link runIdempotent}
 * expects of `send`.
 */
export async function keyedTransaction<Result>(
  tx: Queries,
  call: KeyedCall,
  effect: () => Promise<Result | null>,
): Promise<{ result: Result | unknown; samePayload: boolean; replayed: boolean } | null> {
  const live = await tx.maybeOne(lookupKey(call));
  if (live) return live;
  await tx.query(deleteStaleKey(call));
  await tx.query(purgeKeys(call));
  const result = await effect();
  if (result === null) return null;
  await tx.query(saveKey({ ...call, result: JSON.stringify(result) }));
  return { result, samePayload: true, replayed: false };
}

/**
 * A keyed write as ONE statement: the key's CTEs, then `writes` (CTEs whose
 * first insert is gated on `not exists (select from idem_live)`, so nothing is
 * written when the key is live), `idem_effect` as `resultSelect` (a SELECT,
 * or an INSERT ... RETURNING), `idem_result` as `resultJson` over it (alias
 * `r`), the key row saved with that as its result, and the new result or the
 * live key's. The jsonb is made once for both uses (it was made twice; with
 * the fresh result's row check skipped, see {@link StoredResult}, a keyed owner
 * create took 3-42 µs less at the median in three noisy runs:
 * docs/runs/2026-12-01-owner-codes-keyed-ab).
 */
export function keyedWrite(
  p: KeyedCall,
  writes: FragmentSqlToken,
  resultSelect: FragmentSqlToken,
  resultJson: FragmentSqlToken = sql.fragment`to_jsonb(r)`,
): FragmentSqlToken {
  const result = sql.fragment`r.result`;
  const source = sql.fragment`idem_result r`;
  return sql.fragment`
    with ${keyCtes(p)}, ${writes}, idem_effect as (
      ${resultSelect}
    ), idem_result as (
      select ${resultJson} as result from idem_effect r
    ), ${saveKeyCte(p, result, source)}
    ${keyedResultSelect(result, source)}`;
}
