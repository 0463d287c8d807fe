/**
 * The lean reference: for each seed operation, the statement a careful
 * hand-written application would send through bare node-postgres, returning
 * only what the seed's operation needs. The harness times it beside the
 * library on the same inputs (measure/lean.ts), so library/lean says what the
 * library's generality costs, query shape included (the replay in
 * measure/overhead.ts isolates the driver layer on the library's own statements).
 */

/** A row the lean statement returned. */
export type LeanRow = Record<string, unknown>;

/**
 * What a lean call needs: node-postgres' `query` with a statement config. A
 * `pg.Pool` and a connection lent by `vz.withConnection` both fit.
 */
export interface LeanClient {
  query(statement: {
    name?: string;
    text: string;
    values?: unknown[];
  }): Promise<{ rows: LeanRow[]; rowCount: number | null }>;
}

/**
 * Sends one named prepared statement (node-postgres prepares it once per
 * connection); names start with `lean_`, so they never collide with the library's.
 */
export async function prepared(
  client: LeanClient,
  name: `lean_${string}`,
  text: string,
  values: unknown[],
): Promise<LeanRow[]> {
  return (await client.query({ name, text, values })).rows;
}

/** Bound of the first page of an id-descending keyset list: above every int4 id (compare as int8). */
export const firstPageId = 2_147_483_648;

/** `%term%` for ILIKE, with LIKE's wildcards in the term escaped. */
export function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/**
 * The half-open range [term, next) of strings starting with `term`, for a
 * text_pattern_ops index: the same index-range trick as a LIKE 'term%' but
 * without planning a LIKE (digits only, so the next code point is safe).
 */
export function prefixRange(term: string): [string, string] {
  const last = term.charCodeAt(term.length - 1);
  return [term, `${term.slice(0, -1)}${String.fromCharCode(last + 1)}`];
}

/**
 * True when pg_trgm can take a trigram from `term` (3 letters or digits in a
 * row): only then can a trigram GIN index find it; without one the index reads
 * every entry, and walking the rows newest first to the page is the fast plan.
 */
export function hasTrigram(term: string): boolean {
  return /[\p{L}\p{N}]{3}/u.test(term);
}
