/**
 * `owners.import`: validate every row, then write them all in one transaction
 * with a few large bulk statements (sql.unnest over column arrays). Measured
 * against jsonb_to_recordset in docs/tenancy.md ("Import").
 */

import { z } from 'zod';
import type { Queries } from '../db/db.js';
import { type FragmentSqlToken, sql } from '../db/sql.js';
import { statement } from '../db/statement.js';
import { ConflictError, ValidationError, type ValidationIssue, VetalyzeError } from '../errors.js';
import {
  type KeyedCall,
  keyCtes,
  keyedRow,
  keyedTransaction,
  requestHasher,
  runIdempotent,
  saveKeyCte,
  storedResult,
  type WriteOptions,
  writeOptionsSchema,
} from '../idempotency.js';
import { parseInput, toValidationIssues } from '../validation.js';
import { formatCode } from './codes.js';
import { type NewOwner, newOwnerSchema } from './inputs.js';
import { type NewPetColumns, newPetColumns } from './pet-tuples.js';
import { phoneDigitsOf } from './phone.js';
import type { ScopeContext } from './scope-context.js';

/** One row of `owners.import`: the same shape as the input of `owners.create`. */
export type OwnerImportRow = NewOwner;

/** What an import wrote. */
export interface ImportResult {
  /** Owners written. */
  readonly owners: number;
  /** Pets written. */
  readonly pets: number;
  /** Code of the first owner written (rows keep their order), null when none. */
  readonly firstOwnerCode: string | null;
  /** Code of the last owner written, null when none. */
  readonly lastOwnerCode: string | null;
}

/*
 * The statements of `owners.import`. Unnamed, except the keyed counter bump:
 * an import is rare and its bulk inserts are few statements of up to
 * `importChunkSize` rows each, so a prepared slot on every connection would
 * not pay for itself. The keyed counter bump stays prepared, as every keyed
 * write's statement is.
 */

const counterRow = z.object({ ownerBase: z.number(), petBase: z.number() });
const noRows = z.object({});
const petTypeRow = z.object({ id: z.number() });

/** Every pet type id: checked before the writes, so a bad one names its row. */
const petTypesStatement = statement(
  'clinic.owners.import:pet-types',
  petTypeRow,
  { prepared: false },
  () => sql.fragment`select id from pet_types`,
);

/** One counter bump reserves every code of the import. */
const counterStatement = statement(
  'clinic.owners.import:counter',
  counterRow,
  { prepared: false },
  (p: { clinicId: number; ownerCount: number; petCount: number }) => sql.fragment`
    insert into clinic_counters as c (clinic_id, last_owner_seq, last_pet_seq)
    values (${p.clinicId}, ${p.ownerCount}, ${p.petCount})
    on conflict (clinic_id) do update
      set last_owner_seq = c.last_owner_seq + excluded.last_owner_seq,
          last_pet_seq = c.last_pet_seq + excluded.last_pet_seq
    returning c.last_owner_seq - ${p.ownerCount} as "ownerBase",
      c.last_pet_seq - ${p.petCount} as "petBase"`,
);

/**
 * The counter bump of {@link writeRows} with an idempotency key: gated on the
 * key having no live row, and writing the key row with the import's result
 * (its codes follow from the counter), in ONE statement. Returns the result
 * and the bases, or the live key's result with null bases.
 */
const keyedCounterStatement = statement(
  'clinic.owners.import:counter-keyed',
  keyedRow.extend({ ownerBase: z.number().nullable(), petBase: z.number().nullable() }),
  { prepared: true },
  (p: KeyedCall & { clinicId: number; ownerCount: number; petCount: number }) => sql.fragment`
    with ${keyCtes(p)}, counter as (
      insert into clinic_counters as c (clinic_id, last_owner_seq, last_pet_seq)
      select ${p.clinicId}, ${p.ownerCount}, ${p.petCount} where not exists (select from idem_live)
      on conflict (clinic_id) do update
        set last_owner_seq = c.last_owner_seq + excluded.last_owner_seq,
            last_pet_seq = c.last_pet_seq + excluded.last_pet_seq
      returning c.last_owner_seq - ${p.ownerCount}::int as "ownerBase",
        c.last_pet_seq - ${p.petCount}::int as "petBase"
    ), idem_result as (
      select k."ownerBase", k."petBase", jsonb_build_object(
        'owners', n.owners, 'pets', n.pets,
        'firstOwnerCode', case when n.owners > 0 then vz_code('O', k."ownerBase" + 1) end,
        'lastOwnerCode', case when n.owners > 0 then vz_code('O', k."ownerBase" + n.owners) end
      ) as result
      from counter k
      cross join (select ${p.ownerCount}::int as owners, ${p.petCount}::int as pets) n
    ), ${saveKeyCte(p, sql.fragment`r.result`, sql.fragment`idem_result r`)}
    select r.result, true as "samePayload", false as replayed, r."ownerBase", r."petBase"
    from idem_result r
    union all
    select l.result, l."samePayload", true, null, null from idem_live l`,
);

/** A chunk of owners, one array per column, with the codes the counter reserved. */
interface OwnerChunk {
  readonly clinicId: number;
  readonly seqs: number[];
  readonly fullNames: string[];
  readonly phoneNumbers: (string | null)[];
  readonly phoneDigits: (string | null)[];
  readonly emails: (string | null)[];
  readonly addresses: (string | null)[];
  readonly notes: (string | null)[];
}

/** The insert of a chunk of owners, without a RETURNING list. */
function insertOwnersSql(p: OwnerChunk): FragmentSqlToken {
  return sql.fragment`
    insert into owners (clinic_id, seq, full_name, phone_number, phone_digits, email, address, notes)
    select ${p.clinicId}, t.*
    from unnest(${p.seqs}::int4[], ${p.fullNames}::text[], ${p.phoneNumbers}::text[],
        ${p.phoneDigits}::text[], ${p.emails}::text[], ${p.addresses}::text[], ${p.notes}::text[])
      as t(seq, full_name, phone_number, phone_digits, email, address, notes)`;
}

/** Inserts a chunk of owners. */
const insertOwnersStatement = statement(
  'clinic.owners.import:owners',
  noRows,
  { prepared: false },
  insertOwnersSql,
);

/** A chunk of pets, one array per column, each with its owner's code. */
interface PetChunk extends NewPetColumns {
  readonly clinicId: number;
  readonly ownerSeqs: number[];
  readonly seqs: number[];
}

/** Inserts a chunk of pets; each finds its owner by (clinic_id, seq), so no ids travel back and forth. */
const insertPetsStatement = statement(
  'clinic.owners.import:pets',
  noRows,
  { prepared: false },
  (p: PetChunk) => sql.fragment`
    insert into pets (clinic_id, owner_id, seq, name, pet_type_id, breed, sex, birth_date, microchip)
    select ${p.clinicId}, o.id, t.seq, t.name, t.pet_type_id, t.breed, t.sex, t.birth_date, t.microchip
    from unnest(${p.ownerSeqs}::int4[], ${p.seqs}::int4[], ${p.names}::text[],
        ${p.petTypeIds}::int2[], ${p.breeds}::text[], ${p.sexes}::pet_sex[],
        ${p.birthDates}::date[], ${p.microchips}::text[])
      as t(owner_seq, seq, name, pet_type_id, breed, sex, birth_date, microchip)
    join owners o on o.clinic_id = ${p.clinicId} and o.seq = t.owner_seq`,
);

/**
 * Citus mode (see owners.ts): {@link insertOwnersStatement} returning each
 * owner's id by seq, so the pets can name their owner by id. Finding the
 * owner by (clinic_id, seq) joins the owners' shard to the unnest, which Citus
 * runs as a shard query plus an INSERT through the coordinator: two tasks.
 */
const citusInsertOwnersStatement = statement(
  'clinic.owners.import:citus-owners',
  z.object({ id: z.number(), seq: z.number() }),
  { prepared: false },
  (p: OwnerChunk) => sql.fragment`${insertOwnersSql(p)} returning id, seq`,
);

/** Citus mode: a chunk of pets, each with its owner's id. */
const citusInsertPetsStatement = statement(
  'clinic.owners.import:citus-pets',
  noRows,
  { prepared: false },
  (p: Omit<PetChunk, 'ownerSeqs'> & { ownerIds: number[] }) => sql.fragment`
    insert into pets (clinic_id, owner_id, seq, name, pet_type_id, breed, sex, birth_date, microchip)
    select ${p.clinicId}, t.*
    from unnest(${p.ownerIds}::int4[], ${p.seqs}::int4[], ${p.names}::text[],
        ${p.petTypeIds}::int2[], ${p.breeds}::text[], ${p.sexes}::pet_sex[],
        ${p.birthDates}::date[], ${p.microchips}::text[])
      as t(owner_id, seq, name, pet_type_id, breed, sex, birth_date, microchip)`,
);

/** Rows per bulk statement: large enough to amortise a round trip, small enough for the statement timeout. */
export const importChunkSize = 5_000;

type ValidOwner = z.output<typeof newOwnerSchema>;

interface PreparedRow {
  readonly owner: ValidOwner;
  readonly phoneDigits: string | null;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size)
    result.push(items.slice(start, start + size));
  return result;
}

/**
 * Validates every row (zod, phone digits, pet types that do not exist,
 * microchips repeated inside the import) and collects every problem; throws
 * them all, by row index, or returns the rows ready to write.
 */
async function validateRows(
  rows: Iterable<OwnerImportRow> | AsyncIterable<OwnerImportRow>,
  callingCode: string,
  petTypeIds: ReadonlySet<number>,
): Promise<PreparedRow[]> {
  const prepared: PreparedRow[] = [];
  const issues: ValidationIssue[] = [];
  const microchips = new Map<string, string>();
  let index = 0;
  for await (const row of rows) {
    const result = newOwnerSchema.safeParse(row);
    if (!result.success) {
      issues.push(...toValidationIssues(result.error.issues, [index]));
    } else {
      const owner = result.data;
      let phoneDigits: string | null = null;
      try {
        phoneDigits = phoneDigitsOf(owner.phoneNumber ?? null, callingCode, `${index}.phoneNumber`);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        issues.push(...error.issues);
      }
      owner.pets.forEach((pet, petIndex) => {
        if (!petTypeIds.has(pet.petTypeId)) {
          issues.push({
            field: `${index}.pets.${petIndex}.petTypeId`,
            message: 'is not a pet type (see lookups.petTypes())',
          });
        }
        if (!pet.microchip) return;
        const field = `${index}.pets.${petIndex}.microchip`;
        const first = microchips.get(pet.microchip);
        if (first) issues.push({ field, message: `repeats the microchip of ${first}` });
        else microchips.set(pet.microchip, field);
      });
      prepared.push({ owner, phoneDigits });
    }
    index++;
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return prepared;
}

/** `Key (clinic_id, microchip)=(5, 276...)`: the values PostgreSQL names in a key violation. */
function keyValues(error: VetalyzeError): string[] | undefined {
  let cause: unknown = error.cause;
  for (let depth = 0; depth < 5 && cause instanceof Error; depth++) {
    const detail = (cause as Error & { detail?: unknown }).detail;
    const values = typeof detail === 'string' ? /\)=\((.*)\)/.exec(detail)?.[1] : undefined;
    if (values !== undefined) return values.split(', ');
    cause = cause.cause;
  }
  return undefined;
}

/**
 * What only the database can see (a microchip already in the clinic, a pet
 * type deleted since the check), named by row: the key value in the error's
 * detail is found among the rows. Any other error passes unchanged.
 */
function locateRow(error: unknown, prepared: readonly PreparedRow[]): unknown {
  if (!(error instanceof VetalyzeError)) return error;
  const field = error instanceof ConflictError ? error.field : (error as ValidationError).field;
  const column = field === 'microchip' ? 'microchip' : field === 'petTypeId' ? 'petTypeId' : null;
  const value = column === null ? undefined : keyValues(error)?.at(-1);
  if (column === null || value === undefined) return error;
  for (const [index, { owner }] of prepared.entries()) {
    const petIndex = owner.pets.findIndex((pet) => String(pet[column]) === value);
    if (petIndex < 0) continue;
    const located = `${index}.pets.${petIndex}.${column}`;
    return error instanceof ConflictError
      ? new ConflictError(`${located}: ${error.message}`, located, { cause: error })
      : new ValidationError([{ field: located, message: 'refers to a row that does not exist' }], {
          cause: error,
        });
  }
  return error;
}

/**
 * Imports owners with their pets into one clinic (see `owners.import`). A
 * database failure part-way (e.g. a microchip already in the clinic) rolls the
 * whole import back, counters included. With an idempotency key, the first
 * statement of the transaction also checks and writes the key (keyed
 * statements: src/idempotency.ts), so the key commits with the rows.
 */
export async function importOwners(
  scope: ScopeContext,
  rows: Iterable<OwnerImportRow> | AsyncIterable<OwnerImportRow>,
  options?: WriteOptions,
): Promise<ImportResult> {
  if (
    rows === null ||
    typeof rows !== 'object' ||
    !(Symbol.iterator in rows || Symbol.asyncIterator in rows)
  ) {
    throw new ValidationError([
      { field: 'rows', message: 'must be an array or an (async) iterable' },
    ]);
  }
  const key = parseInput(writeOptionsSchema, options)?.idempotencyKey;
  const { context } = scope;
  // First, because phone numbers are normalised with the clinic's calling code.
  const { callingCode } = await scope.facts();
  // Ten rows: checking every pet's type here names the bad row, where the
  // foreign key would only fail the whole statement.
  const petTypes = await context.db.any(petTypesStatement({}));
  const petTypeIds = new Set(petTypes.map((row) => row.id));
  const prepared = await validateRows(rows, callingCode, petTypeIds);
  const ownerCount = prepared.length;
  const petCount = prepared.reduce((sum, row) => sum + row.owner.pets.length, 0);
  if (key !== undefined) {
    const hasher = requestHasher('owners.import');
    for (const row of prepared) hasher.add(row.owner);
    const call: KeyedCall = {
      keyScope: scope.clinicId,
      key,
      operation: 'owners.import',
      requestHash: hasher.digest(),
      ttlMs: context.idempotencyTtlMs,
    };
    return runIdempotent(
      context.db,
      call,
      storedImportResult,
      () =>
        writeKeyedRows(scope, prepared, ownerCount, petCount, call).catch((error: unknown) => {
          throw locateRow(error, prepared);
        }),
      // The first statement always returns a row (the new result or the live key's).
      () =>
        Promise.reject(new ConflictError('the import was not written; retry', 'idempotencyKey')),
    );
  }
  if (ownerCount === 0) return { owners: 0, pets: 0, firstOwnerCode: null, lastOwnerCode: null };

  const ownerBase = await writeRows(scope, prepared, ownerCount, petCount).catch(
    (error: unknown) => {
      throw locateRow(error, prepared);
    },
  );
  return {
    owners: ownerCount,
    pets: petCount,
    firstOwnerCode: formatCode('O', ownerBase + 1),
    lastOwnerCode: formatCode('O', ownerBase + ownerCount),
  };
}

/** Writes validated rows in one transaction; returns the owner seq before the first. */
function writeRows(
  scope: ScopeContext,
  prepared: readonly PreparedRow[],
  ownerCount: number,
  petCount: number,
): Promise<number> {
  const { clinicId, context } = scope;
  return context.db.transaction(async (tx) => {
    const counter = await tx.one(counterStatement({ clinicId, ownerCount, petCount }));
    await insertRows(tx, clinicId, prepared, counter, context.citus);
    return counter.ownerBase;
  });
}

/** What an import returns, also as stored under an idempotency key. */
const storedImportResult = storedResult(
  z.object({
    owners: z.number(),
    pets: z.number(),
    firstOwnerCode: z.string().nullable(),
    lastOwnerCode: z.string().nullable(),
  }),
);

/** {@link writeRows} with an idempotency key: the key's row, new or live, of the first statement. */
function writeKeyedRows(
  scope: ScopeContext,
  prepared: readonly PreparedRow[],
  ownerCount: number,
  petCount: number,
  call: KeyedCall,
) {
  const { clinicId, context } = scope;
  if (context.citus) {
    return context.db.transaction((tx) =>
      keyedTransaction(tx, call, async () => {
        const counter = await tx.one(counterStatement({ clinicId, ownerCount, petCount }));
        await insertRows(tx, clinicId, prepared, counter, true);
        return {
          owners: ownerCount,
          pets: petCount,
          firstOwnerCode: ownerCount > 0 ? formatCode('O', counter.ownerBase + 1) : null,
          lastOwnerCode: ownerCount > 0 ? formatCode('O', counter.ownerBase + ownerCount) : null,
        };
      }),
    );
  }
  return context.db.transaction(async (tx) => {
    const row = await tx.one(keyedCounterStatement({ ...call, clinicId, ownerCount, petCount }));
    const { ownerBase, petBase } = row;
    if (row.replayed || ownerBase === null || petBase === null) return row;
    await insertRows(tx, clinicId, prepared, { ownerBase, petBase }, context.citus);
    return row;
  });
}

/** Inserts the owners, then the pets, in chunks, with the codes after the counter's bases. */
async function insertRows(
  tx: Queries,
  clinicId: number,
  prepared: readonly PreparedRow[],
  counter: { readonly ownerBase: number; readonly petBase: number },
  citus: boolean,
): Promise<void> {
  /** Citus mode: each owner's id by seq, from the owners' inserts. */
  const ownerIds = new Map<number, number>();
  const owners = prepared.map(({ owner, phoneDigits }, index) => ({
    seq: counter.ownerBase + index + 1,
    owner,
    phoneDigits,
  }));
  for (const chunk of chunks(owners, importChunkSize)) {
    const columns: OwnerChunk = {
      clinicId,
      seqs: chunk.map((row) => row.seq),
      fullNames: chunk.map((row) => row.owner.fullName),
      phoneNumbers: chunk.map((row) => row.owner.phoneNumber ?? null),
      phoneDigits: chunk.map((row) => row.phoneDigits),
      emails: chunk.map((row) => row.owner.email ?? null),
      addresses: chunk.map((row) => row.owner.address ?? null),
      notes: chunk.map((row) => row.owner.notes ?? null),
    };
    if (!citus) {
      await tx.query(insertOwnersStatement(columns));
      continue;
    }
    for (const { id, seq } of await tx.any(citusInsertOwnersStatement(columns)))
      ownerIds.set(seq, id);
  }

  let petSeq = counter.petBase;
  const pets = prepared.flatMap(({ owner }, index) =>
    owner.pets.map((pet) => ({ ownerSeq: counter.ownerBase + index + 1, seq: ++petSeq, pet })),
  );
  for (const chunk of chunks(pets, importChunkSize)) {
    const columns = {
      clinicId,
      seqs: chunk.map((row) => row.seq),
      ...newPetColumns(chunk.map((row) => row.pet)),
    };
    const ownerSeqs = chunk.map((row) => row.ownerSeq);
    await tx.query(
      citus
        ? citusInsertPetsStatement({
            ...columns,
            ownerIds: ownerSeqs.map((seq) => ownerIds.get(seq) ?? 0),
          })
        : insertPetsStatement({ ...columns, ownerSeqs }),
    );
  }
}
