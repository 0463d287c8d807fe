import { createSqlTag } from '@slonik/sql-tag';

/**
 * slonik's `sql` tag, from slonik's tag package alone: raw parameterised SQL,
 * `sql.type(schema)` for result rows, `sql.unnest` for bulk inserts. The slonik
 * runtime (its pool, driver, logging) is not a dependency; statements run on
 * node-postgres through src/db/db.ts.
 */
export const sql = createSqlTag();

export type { FragmentSqlToken, ListSqlToken, QuerySqlToken } from '@slonik/sql-tag';
