import { migrate } from '@vetalyze/db';

/** `vetalyze migrate --database-url URL`: applies the library's sql/ migrations. */
export async function migrateCommand(databaseUrl: string): Promise<void> {
  const result = await migrate(databaseUrl);
  process.stdout.write(
    `applied ${result.applied.length} migrations (${result.applied.join(', ') || 'none'}); ${result.alreadyApplied.length} already applied\n`,
  );
}
