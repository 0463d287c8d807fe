import { createSqlTag, type FragmentSqlToken } from '@slonik/sql-tag';

/**
 * slonik's `sql` tag, from slonik's tag package alone: raw parameterised SQL,
 * `sql.type(schema)` for result rows, `sql.unnest` for bulk inserts. The slonik
 * runtime (its pool, driver, logging) is not a dependency; statements run on
 * node-postgres through src/db/db.ts.
 */
export const sql = createSqlTag();

export type { FragmentSqlToken, ListSqlToken, QuerySqlToken } from '@slonik/sql-tag';

/**
 * `limit <n>` of a prepared statement's page. Written `limit $n`, each call's
 * custom plan knows the page size and the generic plan does not, so the
 * custom plan always looks cheaper and the server plans every call again
 * (measured with pgbench -M prepared on an owners page of 21 at 1000 clinics:
 * 0.16-0.24 ms a call against 0.075 ms). Behind a scalar subquery neither plan
 * sees it, both cost the same, and the server keeps the generic plan after its
 * first five calls.
 */
export function limitSql(limit: number): FragmentSqlToken {
  return sql.fragment`limit (select ${limit}::int8)`;
}
