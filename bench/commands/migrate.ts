import { migrate } from '@vetalyze/db';

/**
 * `vetalyze migrate --database-url URL [--citus]`: applies the library's sql/
 * migrations; with `citus`, also the Citus step (sql/citus/) that distributes
 * the schema on a Citus coordinator.
 */
export async function migrateCommand(databaseUrl: string, citus = false): Promise<void> {
  const result = citus ? await migrate(databaseUrl, { citus: true }) : await migrate(databaseUrl);
  process.stdout.write(
    `applied ${result.applied.length} migrations (${result.applied.join(', ') || 'none'}); ${result.alreadyApplied.length} already applied\n`,
  );
}
