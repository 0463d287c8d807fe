import { formatStatementStats, readStatementStats } from '../monitor/statement-stats.js';

/** `vetalyze stats --database-url URL`: the library's statements from pg_stat_statements, by operation. */
export async function statsCommand(flags: { databaseUrl: string; json?: boolean }): Promise<void> {
  const stats = await readStatementStats(flags.databaseUrl);
  process.stdout.write(
    flags.json ? `${JSON.stringify(stats, null, 2)}\n` : formatStatementStats(stats),
  );
}
