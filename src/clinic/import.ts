/**
 * `owners.import`: validate every row, then write them all in one transaction
 * with a few large bulk statements (sql.unnest over column arrays). Measured
 * against jsonb_to_recordset in docs/tenancy.md ("Import").
 */

import { z } from 'zod';
import { sql } from '../db/sql.js';
import { ValidationError, type ValidationIssue } from '../errors.js';
import { toValidationIssues } from '../validation.js';
import { formatCode } from './codes.js';
import { newOwnerSchema } from './inputs.js';
import { newPetColumnTypes, newPetTuple } from './pet-tuples.js';
import { phoneDigitsOf } from './phone.js';
import type { ScopeContext } from './scope-context.js';

/** One row of `owners.import`: the same shape as the input of `owners.create`. */
export type OwnerImportRow = z.input<typeof newOwnerSchema>;

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
 * Validates every row (zod, phone digits, microchips repeated inside the
 * import) and collects every problem; throws them all, by row index, or
 * returns the rows ready to write.
 */
async function validateRows(
  rows: Iterable<OwnerImportRow> | AsyncIterable<OwnerImportRow>,
  callingCode: string,
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

const counterRow = z.object({ ownerBase: z.number(), petBase: z.number() });
const noRows = z.object({});

/**
 * Imports owners with their pets into one clinic (see `owners.import`). A
 * database failure part-way (e.g. a microchip already in the clinic) rolls the
 * whole import back, counters included.
 */
export async function importOwners(
  scope: ScopeContext,
  rows: Iterable<OwnerImportRow> | AsyncIterable<OwnerImportRow>,
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
  const { clinicId, context } = scope;
  // First, because phone numbers are normalised with the clinic's calling code.
  const { callingCode } = await scope.facts();
  const prepared = await validateRows(rows, callingCode);
  const ownerCount = prepared.length;
  const petCount = prepared.reduce((sum, row) => sum + row.owner.pets.length, 0);
  if (ownerCount === 0) return { owners: 0, pets: 0, firstOwnerCode: null, lastOwnerCode: null };

  const ownerBase = await context.db.transaction(async (tx) => {
    // One counter bump reserves every code of the import.
    const counter = await tx.one(sql.type(counterRow)`
      insert into clinic_counters as c (clinic_id, last_owner_seq, last_pet_seq)
      values (${clinicId}, ${ownerCount}, ${petCount})
      on conflict (clinic_id) do update
        set last_owner_seq = c.last_owner_seq + excluded.last_owner_seq,
            last_pet_seq = c.last_pet_seq + excluded.last_pet_seq
      returning c.last_owner_seq - ${ownerCount} as "ownerBase",
        c.last_pet_seq - ${petCount} as "petBase"`);

    const ownerTuples = prepared.map(({ owner, phoneDigits }, index) => [
      counter.ownerBase + index + 1,
      owner.fullName,
      owner.phoneNumber ?? null,
      phoneDigits,
      owner.email ?? null,
      owner.address ?? null,
      owner.notes ?? null,
    ]);
    for (const chunk of chunks(ownerTuples, importChunkSize)) {
      await tx.query(sql.type(noRows)`
        insert into owners (clinic_id, seq, full_name, phone_number, phone_digits, email, address, notes)
        select ${clinicId}, t.*
        from ${sql.unnest(chunk, ['int4', 'text', 'text', 'text', 'text', 'text', 'text'])}
          as t(seq, full_name, phone_number, phone_digits, email, address, notes)`);
    }

    let petSeq = counter.petBase;
    const petTuples = prepared.flatMap(({ owner }, index) =>
      owner.pets.map((pet) => [counter.ownerBase + index + 1, ++petSeq, ...newPetTuple(pet)]),
    );
    for (const chunk of chunks(petTuples, importChunkSize)) {
      // Pets find their owner by (clinic_id, seq): no ids travel back and forth.
      await tx.query(sql.type(noRows)`
        insert into pets (clinic_id, owner_id, seq, name, pet_type_id, breed, sex, birth_date, microchip)
        select ${clinicId}, o.id, t.seq, t.name, t.pet_type_id, t.breed, t.sex, t.birth_date, t.microchip
        from ${sql.unnest(chunk, ['int4', 'int4', ...newPetColumnTypes])}
          as t(owner_seq, seq, name, pet_type_id, breed, sex, birth_date, microchip)
        join owners o on o.clinic_id = ${clinicId} and o.seq = t.owner_seq`);
    }
    return counter.ownerBase;
  });
  return {
    owners: ownerCount,
    pets: petCount,
    firstOwnerCode: formatCode('O', ownerBase + 1),
    lastOwnerCode: formatCode('O', ownerBase + ownerCount),
  };
}
