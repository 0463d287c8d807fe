/**
 * Writers for `owners.export()`: NDJSON (one owner with its pets per line) and
 * CSV (one row per pet with its owner's columns; an owner without pets gets
 * one row with empty pet columns). Both respect the writable's backpressure and
 * end it; when either side fails, the export's cursor and connection are
 * released (the iteration is ended by `pipeline`).
 */
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { Owner, Pet } from './rows.js';

/** What a writer wrote. */
export interface ExportWriteResult {
  /** Owners written. */
  readonly owners: number;
  /** Lines (NDJSON) or data rows without the header (CSV) written. */
  readonly rows: number;
}

/**
 * Writes each owner as one JSON line (dates as ISO strings) to `writable`, and
 * ends it.
 *
 * @example
 * await exportToNdjson(clinic.owners.export(), createWriteStream('owners.ndjson'));
 */
export async function exportToNdjson(
  owners: AsyncIterable<Owner> | Iterable<Owner>,
  writable: Writable,
): Promise<ExportWriteResult> {
  let count = 0;
  async function* lines(): AsyncGenerator<string> {
    for await (const owner of owners) {
      count++;
      yield `${JSON.stringify(owner)}\n`;
    }
  }
  await pipeline(Readable.from(lines(), { objectMode: false }), writable);
  return { owners: count, rows: count };
}

/** The CSV columns, in order: the owner's, then the pet's. */
export const csvColumns = [
  'owner_id',
  'owner_code',
  'owner_full_name',
  'owner_phone_number',
  'owner_email',
  'owner_address',
  'owner_notes',
  'owner_created_at',
  'pet_id',
  'pet_code',
  'pet_name',
  'pet_type_id',
  'pet_breed',
  'pet_sex',
  'pet_birth_date',
  'pet_microchip',
  'pet_is_deceased',
  'pet_deceased_on',
] as const;

type CsvRecord = Record<(typeof csvColumns)[number], string | number | boolean | null>;

function csvRecord(owner: Owner, pet: Pet | undefined): CsvRecord {
  return {
    owner_id: owner.id,
    owner_code: owner.code,
    owner_full_name: owner.fullName,
    owner_phone_number: owner.phoneNumber,
    owner_email: owner.email,
    owner_address: owner.address,
    owner_notes: owner.notes,
    owner_created_at: owner.createdAt.toISOString(),
    pet_id: pet?.id ?? null,
    pet_code: pet?.code ?? null,
    pet_name: pet?.name ?? null,
    pet_type_id: pet?.petTypeId ?? null,
    pet_breed: pet?.breed ?? null,
    pet_sex: pet?.sex ?? null,
    pet_birth_date: pet?.birthDate ?? null,
    pet_microchip: pet?.microchip ?? null,
    pet_is_deceased: pet?.isDeceased ?? null,
    pet_deceased_on: pet?.deceasedOn ?? null,
  };
}

/** Options of {@link exportToCsv}. */
export interface CsvExportOptions {
  /**
   * Neutralise spreadsheet formulas (OWASP "CSV Injection"): a text cell that
   * starts with `=`, `+`, `-`, `@`, a tab or a carriage return (or their
   * full-width forms) gets a leading `'`, so a spreadsheet shows it as text
   * instead of running it. Owner names, notes and addresses are typed by
   * clinic staff or imported; an international phone number (`+49 ...`) is
   * written `'+49 ...` too. Turn it off only for a consumer that is not a
   * spreadsheet and wants the values byte for byte. @default true
   */
  readonly escapeFormulas?: boolean;
}

/**
 * Writes a CSV with a header row and one row per pet (owner columns repeated;
 * an owner without pets gets one row) to `writable`, and ends it. Cells that
 * a spreadsheet would run as a formula are neutralised unless
 * `escapeFormulas: false` (see {@link CsvExportOptions}).
 *
 * @example
 * await exportToCsv(clinic.owners.export(), response);
 */
export async function exportToCsv(
  owners: AsyncIterable<Owner> | Iterable<Owner>,
  writable: Writable,
  options: CsvExportOptions = {},
): Promise<ExportWriteResult> {
  let ownerCount = 0;
  let rowCount = 0;
  async function* records(): AsyncGenerator<CsvRecord> {
    for await (const owner of owners) {
      ownerCount++;
      if (owner.pets.length === 0) {
        rowCount++;
        yield csvRecord(owner, undefined);
      }
      for (const pet of owner.pets) {
        rowCount++;
        yield csvRecord(owner, pet);
      }
    }
  }
  await pipeline(
    Readable.from(records()),
    stringify({
      header: true,
      columns: [...csvColumns],
      cast: { boolean: (value) => String(value) },
      // csv-stringify implements the OWASP rule; numbers (ids, pet types) are never touched.
      escape_formulas: options.escapeFormulas !== false,
    }),
    writable,
  );
  return { owners: ownerCount, rows: rowCount };
}
