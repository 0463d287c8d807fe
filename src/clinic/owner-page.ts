/**
 * Pages of owners (`owners.list`, `owners.search`) as ONE statement of owner
 * summaries: the owner's columns and the names of its live pets, not the pets
 * themselves. Open an owner with `owners.get` for its pets; the seed splits
 * "list owners" and "owner with pets" the same way.
 *
 * Why summaries, measured with raw node-postgres on a 1,500-owner clinic (page
 * of 20, p50): owners alone 0.26 ms, owners with pet names 0.36 ms, owners with
 * full pets as flat joined rows 0.50–0.54 ms, as one json_agg per owner 0.58 ms.
 * The server needs 0.09 ms for any of them; the rest is moving and parsing the
 * pets' columns, which a list never shows.
 */
import { type FragmentSqlToken, sql } from 'slonik';
import { z } from 'zod';
import { preparedStatement } from '../db/prepared.js';
import { ownerColumns, ownerSchema } from './rows.js';

/** An owner as lists and searches return it: its fields and its live pets' names. */
export const ownerSummarySchema = ownerSchema.omit({ pets: true }).extend({
  /** Names of the owner's live pets, oldest first. */
  petNames: z.array(z.string()),
});

/** An owner as lists and searches return it. */
export type OwnerSummary = z.infer<typeof ownerSummarySchema>;

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
 * at most `limit`. Pets are filtered by the clinic id parameter itself, not
 * only through the owner.
 */
function ownerPage(p: OwnerPageParams, filter: FragmentSqlToken) {
  return sql.fragment`
    select ${ownerColumns},
      array(
        select p.name from pets p
        where p.clinic_id = ${p.clinicId} and p.owner_id = o.id and p.archived_at is null
        order by p.id
      ) as "petNames"
    from owners o
    where o.clinic_id = ${p.clinicId} and o.archived_at is null and o.id < ${p.bound}::int8
      and ${filter}
    order by o.id desc
    limit ${p.limit}`;
}

/** `owners.list`: every live owner. */
export const ownerListPage = preparedStatement(
  'vz_clinic_owner_list',
  ownerSummarySchema,
  (p: OwnerPageParams) => ownerPage(p, sql.fragment`true`),
);

/**
 * A name with a trigram (3 letters or digits in a row): the trigram GIN index
 * on (clinic_id, full_name) finds it for any term, so the plan never depends
 * on the term and a prepared statement skips 0.15-0.2 ms of planning a call.
 */
export const ownerNamePage = preparedStatement(
  'vz_clinic_owner_search_name',
  ownerSummarySchema,
  (p: OwnerPageParams & { pattern: string }) =>
    ownerPage(p, sql.fragment`o.full_name ilike ${p.pattern}`),
);

/**
 * A name without a trigram (under 3 characters, or split by spaces or
 * punctuation): the GIN index would read every entry (364 ms measured), so
 * the plan walks the clinic's owners newest first and stops at the page.
 * lower() LIKE lower() is what ILIKE does for UTF-8 text and keeps the planner
 * off the GIN index (0.57 ms per 1,500 owners, against 0.75 ms for ILIKE on
 * `full_name || ''`).
 */
export const ownerNameWalkPage = preparedStatement(
  'vz_clinic_owner_search_name_walk',
  ownerSummarySchema,
  (p: OwnerPageParams & { pattern: string }) =>
    ownerPage(p, sql.fragment`lower(o.full_name) like lower(${p.pattern})`),
);

/** True when pg_trgm can take a trigram from `term`: 3 letters or digits in a row. */
export function hasTrigram(term: string): boolean {
  return /[\p{L}\p{N}]{3}/u.test(term);
}

/** An owner code: the unique (clinic_id, seq) key. */
export const ownerCodePage = preparedStatement(
  'vz_clinic_owner_search_code',
  ownerSummarySchema,
  (p: OwnerPageParams & { seq: number }) => ownerPage(p, sql.fragment`o.seq = ${p.seq}`),
);

/**
 * A page filtered on user text whose best plan depends on the text (phone
 * digits: a LIKE prefix uses a btree only when the planner sees the prefix):
 * unnamed, so each call gets a custom plan.
 */
export function ownerSearchPage(p: OwnerPageParams, filter: FragmentSqlToken) {
  return sql.type(ownerSummarySchema)`${ownerPage(p, filter)}`;
}
