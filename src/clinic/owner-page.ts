/**
 * Pages of owners (`owners.list`, `owners.search`) as ONE statement of owner
 * summaries: the owner's columns, and the names of its live pets when the
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
import { preparedStatement } from '../db/prepared.js';
import { type FragmentSqlToken, sql } from '../db/sql.js';
import { type Owner, ownerColumns, ownerSchema } from './rows.js';

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

/** What every owner page binds: the clinic, the keyset bound, the row count. */
export interface OwnerPageParams {
  readonly clinicId: number;
  /** Owners with an id below this one (the cursor), newest first. */
  readonly bound: number;
  /** Rows to read: the page size + 1, to know whether a next page exists. */
  readonly limit: number;
}

/**
 * Live owners of the clinic matching `filter`, below id `bound`, newest first,
 * at most `limit`, with their live pets' names when `withPetNames`. Pets are
 * filtered by the clinic id parameter itself, not only through the owner.
 */
function ownerPage(p: OwnerPageParams, filter: FragmentSqlToken, withPetNames: boolean) {
  const petNames = withPetNames
    ? sql.fragment`,
      array(
        select p.name from pets p
        where p.clinic_id = ${p.clinicId} and p.owner_id = o.id and p.archived_at is null
        order by p.id
      ) as "petNames"`
    : sql.fragment``;
  return sql.fragment`
    select ${ownerColumns}${petNames}
    from owners o
    where o.clinic_id = ${p.clinicId} and o.archived_at is null and o.id < ${p.bound}::int8
      and ${filter}
    order by o.id desc
    limit ${p.limit}`;
}

/**
 * The two prepared statements of one page shape, with and without pet names
 * (`<name>_pet_names`), and the call that picks one.
 */
function ownerPageStatements<Params extends OwnerPageParams>(
  name: string,
  filter: (p: Params) => FragmentSqlToken,
) {
  const plain = preparedStatement(name, ownerSummarySchema, (p: Params) =>
    ownerPage(p, filter(p), false),
  );
  const withPetNames = preparedStatement(`${name}_pet_names`, ownerSummarySchema, (p: Params) =>
    ownerPage(p, filter(p), true),
  );
  return (p: Params & { withPetNames: boolean }) => (p.withPetNames ? withPetNames(p) : plain(p));
}

/** `owners.list`: every live owner. */
export const ownerListPage = ownerPageStatements(
  'vz_clinic_owner_list',
  (_p: OwnerPageParams) => sql.fragment`true`,
);

/**
 * A name with a trigram (3 letters or digits in a row): the trigram GIN index
 * on (clinic_id, full_name) finds it for any term, so the plan never depends
 * on the term and a prepared statement skips 0.15-0.2 ms of planning a call.
 */
export const ownerNamePage = ownerPageStatements(
  'vz_clinic_owner_search_name',
  (p: OwnerPageParams & { pattern: string }) => sql.fragment`o.full_name ilike ${p.pattern}`,
);

/**
 * A name without a trigram (under 3 characters, or split by spaces or
 * punctuation): the GIN index would read every entry (364 ms measured), so
 * the plan walks the clinic's owners newest first and stops at the page.
 * lower() LIKE lower() is what ILIKE does for UTF-8 text and keeps the planner
 * off the GIN index (0.57 ms per 1,500 owners, against 0.75 ms for ILIKE on
 * `full_name || ''`).
 */
export const ownerNameWalkPage = ownerPageStatements(
  'vz_clinic_owner_search_name_walk',
  (p: OwnerPageParams & { pattern: string }) =>
    sql.fragment`lower(o.full_name) like lower(${p.pattern})`,
);

/** True when pg_trgm can take a trigram from `term`: 3 letters or digits in a row. */
export function hasTrigram(term: string): boolean {
  return /[\p{L}\p{N}]{3}/u.test(term);
}

/** An owner code: the unique (clinic_id, seq) key. */
export const ownerCodePage = ownerPageStatements(
  'vz_clinic_owner_search_code',
  (p: OwnerPageParams & { seq: number }) => sql.fragment`o.seq = ${p.seq}`,
);

/** What a phone search binds: the national digits' key range, forwards and reversed. */
export interface OwnerPhoneParams extends OwnerPageParams {
  /** The digits typed: numbers starting with them are `>= from` and `< to`. */
  readonly from: string;
  readonly to: string;
  /** The same for the reversed digits: numbers ending with the digits typed. */
  readonly reversedFrom: string;
  readonly reversedTo: string;
}

/**
 * A phone number starting or ending with the digits typed, as key RANGES on
 * the two text_pattern_ops btrees (`owners_phone_prefix`, `owners_phone_suffix`)
 * rather than LIKE 'digits%': a LIKE pattern given as a parameter only becomes
 * an index range when the planner sees the value (a custom plan, planned on
 * every call: 0.13 ms against 0.07 for a prepared one), while `~>=~` and `~<~` are the
 * opclass's own operators, so the generic plan of this prepared statement is a
 * BitmapOr of both ranges for any digits. `~<~` compares bytes, so the upper
 * bound is the digits with the last one raised by one character ('9' -> ':').
 */
export const ownerPhonePage = ownerPageStatements(
  'vz_clinic_owner_search_phone',
  (p: OwnerPhoneParams) => sql.fragment`(
      (o.phone_digits ~>=~ ${p.from} and o.phone_digits ~<~ ${p.to})
      or (reverse(o.phone_digits) ~>=~ ${p.reversedFrom} and reverse(o.phone_digits) ~<~ ${p.reversedTo}))`,
);

/** The bounds of {@link OwnerPhoneParams} for national `digits` (ASCII digits only). */
export function phoneRanges(
  digits: string,
): Pick<OwnerPhoneParams, 'from' | 'to' | 'reversedFrom' | 'reversedTo'> {
  const after = (text: string) =>
    text.slice(0, -1) + String.fromCharCode(text.charCodeAt(text.length - 1) + 1);
  const reversed = [...digits].reverse().join('');
  return { from: digits, to: after(digits), reversedFrom: reversed, reversedTo: after(reversed) };
}
