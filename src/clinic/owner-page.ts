/**
 * What pages of owners (`owners.list`, `owners.search`, their statements are
 * in owners.ts) return: owner summaries, the owner's columns, and the names of its live pets when the
 * caller asks (`withPetNames: true`), never the pets themselves. Open an owner
 * with `owners.get` for its pets; the seed splits "list owners" and "owner with
 * pets" the same way.
 *
 * Why pet names are asked for, measured with raw node-postgres on the
 * 1000-clinic data set (page of 20, one connection, 10,000 pages): owners
 * alone 0.30 ms p50 / 0.36-0.40 ms p95, with pet names 0.40 / 0.48 ms, so
 * by default `owners.list` keeps its 0.6 ms p95 budget with room on a noisy
 * machine. Full pets as flat joined rows took 0.50-0.54 ms and as one
 * json_agg per owner 0.58 ms (p50, raw node-postgres, named statement, 1000 clinics).
 */

import { z } from 'zod';
import { formatCode } from './codes.js';
import { type Owner, ownerSchema } from './rows.js';

/** An owner as lists and searches return it: its fields, and its live pets' names when asked. */
export const ownerSummarySchema = ownerSchema.omit({ pets: true }).extend({
  /** Names of the owner's live pets, oldest first; present with `withPetNames: true`. */
  petNames: z.array(z.string()).optional(),
});

/** An owner as lists and searches return it: its fields, and its live pets' names when asked. */
export interface OwnerSummary extends Omit<Owner, 'pets'> {
  /** Names of the owner's live pets, oldest first; present with `withPetNames: true`. */
  readonly petNames?: readonly string[];
}

/** An owner as a search returns it with `columns: 'contact'`: enough to pick one from a list. */
export const ownerContactSchema = ownerSchema.pick({
  id: true,
  code: true,
  fullName: true,
  phoneNumber: true,
});

/** An owner as a search returns it with `columns: 'contact'`: enough to pick one from a list. */
export type OwnerContact = Pick<Owner, 'id' | 'code' | 'fullName' | 'phoneNumber'>;

/*
 * A page's rows carry the owner's `seq`, and the page makes each code here
 * (formatCode, the rule of vz_code). In the statement, vz_code() ran for every
 * row the filter matched, before the sort and the limit: a phone search page
 * took 23-40 µs longer with it, a list page 5-11 µs (three runs side by side in
 * one process at 1000 clinics: docs/runs/2026-12-01-owner-codes-keyed-ab).
 */

/** A summary page's row: {@link ownerSummarySchema} with `seq` in place of `code`. */
export const ownerSummaryRowSchema = ownerSummarySchema
  .omit({ code: true })
  .extend({ seq: z.number() });

/** A contact page's row: {@link ownerContactSchema} with `seq` in place of `code`. */
export const ownerContactRowSchema = ownerContactSchema
  .omit({ code: true })
  .extend({ seq: z.number() });

/** The summary of a summary page's row. */
export function ownerSummaryOf(row: z.output<typeof ownerSummaryRowSchema>): OwnerSummary {
  const summary = {
    id: row.id,
    code: formatCode('O', row.seq),
    fullName: row.fullName,
    phoneNumber: row.phoneNumber,
    email: row.email,
    address: row.address,
    notes: row.notes,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
  return row.petNames === undefined ? summary : { ...summary, petNames: row.petNames };
}

/** The contact of a contact page's row. */
export function ownerContactOf(row: z.output<typeof ownerContactRowSchema>): OwnerContact {
  return {
    id: row.id,
    code: formatCode('O', row.seq),
    fullName: row.fullName,
    phoneNumber: row.phoneNumber,
  };
}

/** What every owner page binds: the clinic, the keyset bound, the row count. */
export interface OwnerPageParams {
  readonly clinicId: number;
  /** Owners with an id below this one (the cursor), newest first. */
  readonly bound: number;
  /** Rows to read: the page size + 1, to know whether a next page exists. */
  readonly limit: number;
}

/** What a phone search binds: the national digits' key range, forwards and reversed. */
export interface OwnerPhoneParams extends OwnerPageParams {
  /** The digits typed: numbers starting with them are `>= from` and `< to`. */
  readonly from: string;
  readonly to: string;
  /** The same for the reversed digits: numbers ending with the digits typed. */
  readonly reversedFrom: string;
  readonly reversedTo: string;
}

/** True when pg_trgm can take a trigram from `term`: 3 letters or digits in a row. */
export function hasTrigram(term: string): boolean {
  return /[\p{L}\p{N}]{3}/u.test(term);
}

/** The bounds of {@link OwnerPhoneParams} for national `digits` (ASCII digits only). */
export function phoneRanges(
  digits: string,
): Pick<OwnerPhoneParams, 'from' | 'to' | 'reversedFrom' | 'reversedTo'> {
  const after = (text: string) =>
    text.slice(0, -1) + String.fromCharCode(text.charCodeAt(text.length - 1) + 1);
  const reversed = [...digits].reverse().join('');
  return { from: digits, to: after(digits), reversedFrom: reversed, reversedTo: after(reversed) };
}
