import pg from 'pg';
import { ms, table } from '../report/format.js';

/** The library's statements of one operation, summed from pg_stat_statements. */
export interface OperationStats {
  /** The statement name before its variant: `clinic.owners.get` for `clinic.owners.get:keyed`. */
  readonly operation: string;
  /** Distinct statements (texts) the operation sent. */
  readonly statements: number;
  readonly calls: number;
  readonly totalMs: number;
  readonly meanMs: number;
  readonly maxMs: number;
  readonly rows: number;
}

/** Why `vetalyze stats` cannot read the statistics, with what to do about it. */
export class StatementStatsUnavailable extends Error {
  override readonly name = 'StatementStatsUnavailable';
}

const howToEnable =
  "add shared_preload_libraries = 'pg_stat_statements' to postgresql.conf, restart the server, " +
  'then run `create extension pg_stat_statements;` in this database';

/**
 * Every library statement ends with `/* vetalyze <name> *\/` (its label,
 * `statementLabel` in `@vetalyze/db`); the name's part before ':' is the
 * operation. pg_stat_statements keys on the parsed statement (comments
 * ignored) and keeps the first text it saw, trailing label included.
 */
const byOperation = `
  select split_part(substring(s.query from '/\\* vetalyze ([^ *]+) \\*/$'), ':', 1) as operation,
    count(*)::int as statements,
    sum(s.calls)::float8 as calls,
    sum(s.total_exec_time)::float8 as "totalMs",
    (sum(s.total_exec_time) / nullif(sum(s.calls), 0))::float8 as "meanMs",
    max(s.max_exec_time)::float8 as "maxMs",
    sum(s.rows)::float8 as rows
  from pg_stat_statements s
  where s.dbid = (select oid from pg_database where datname = current_database())
    and s.query ~ '/\\* vetalyze [^ *]+ \\*/$'
  group by 1
  order by "totalMs" desc`;

/**
 * Reads pg_stat_statements of the database at `databaseUrl` and sums the
 * library's statements by operation, most total time first. Throws
 * {@link StatementStatsUnavailable} when the extension is missing or not loaded.
 */
export async function readStatementStats(databaseUrl: string): Promise<OperationStats[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const installed = await client.query(
      "select 1 from pg_extension where extname = 'pg_stat_statements'",
    );
    if (!installed.rowCount) {
      throw new StatementStatsUnavailable(
        `pg_stat_statements is not installed in database "${client.database}": ${howToEnable}`,
      );
    }
    try {
      return (await client.query<OperationStats>(byOperation)).rows;
    } catch (error) {
      // 55000: the extension exists but the server did not preload its library.
      if ((error as { code?: string }).code === '55000') {
        throw new StatementStatsUnavailable(
          `pg_stat_statements is installed but not loaded by the server: ${howToEnable}`,
          { cause: error },
        );
      }
      throw error;
    }
  } finally {
    await client.end();
  }
}

/** The operations as a text table, plus a line for the mean of the slowest. */
export function formatStatementStats(stats: readonly OperationStats[]): string {
  if (stats.length === 0) {
    return 'pg_stat_statements holds no @vetalyze/db statements for this database yet.\n';
  }
  const rows = stats.map((row) => [
    row.operation,
    String(row.calls),
    ms(row.totalMs),
    ms(row.meanMs),
    ms(row.maxMs),
    String(row.rows),
    String(row.statements),
  ]);
  const slowest = [...stats].sort((a, b) => b.meanMs - a.meanMs)[0];
  return (
    `${table(['operation', 'calls', 'total ms', 'mean ms', 'max ms', 'rows', 'statements'], rows)}\n` +
    `Highest mean: ${slowest?.operation} at ${ms(slowest?.meanMs)} ms per call.\n`
  );
}
