/**
 * Seeding as the harness runs it: a progress bar, the report's summary of a
 * load, and growing (or, in the embedded cache, starting over) to a scale.
 */
import { MigrationError } from '@vetalyze/db';
import pg from 'pg';
import type { GeneratorOptions } from '../generate/options.js';
import { createProgressBar } from '../progress.js';
import type { SeedingReport } from '../report/schema.js';
import type { BenchDatabase } from '../server.js';
import { significant } from '../stats.js';
import { readMeta } from './meta.js';
import { type IndexStrategy, SeedMismatchError, type SeedResult, seed } from './seed.js';

/** Seeds `database` to `clinics` with a progress bar, printing each phase. */
export async function seedWithProgress(
  database: BenchDatabase,
  clinics: number,
  generator: GeneratorOptions,
  indexStrategy: IndexStrategy = 'auto',
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<SeedResult> {
  const bar = createProgressBar(`seeding ${clinics} clinics`);
  try {
    const result = await seed({
      databaseUrl: database.url,
      clinics,
      generator,
      indexStrategy,
      onProgress: (done, total) => bar.update(done, total),
      log: (line) => {
        bar.stop();
        log(`  ${line}`);
      },
    });
    bar.stop();
    if (result.strategy === 'nothing-to-do') log(`  ${result.clinicsAfter} clinics already loaded`);
    else
      log(
        `  seeded ${result.clinicsBefore} -> ${result.clinicsAfter} clinics (${result.strategy}) in ${(result.totalMs / 1000).toFixed(1)} s`,
      );
    return result;
  } finally {
    bar.stop();
  }
}

/** The report's summary of a load (null when nothing was loaded). */
export function seedingReport(result: SeedResult): SeedingReport | null {
  if (result.strategy === 'nothing-to-do') return null;
  return {
    clinicsBefore: result.clinicsBefore,
    clinicsAfter: result.clinicsAfter,
    strategy: result.strategy,
    seconds: significant(result.totalMs / 1000, 4),
    rows: result.rows,
    phases: result.phases.map((phase) => ({
      name: phase.name,
      seconds: significant(phase.ms / 1000, 3),
    })),
  };
}

/** Seeds the database up to `clinics`; an embedded cache that holds more (or other data) is recreated. */
export async function seedScale(
  database: BenchDatabase,
  clinics: number,
  generator: GeneratorOptions,
  log: (line: string) => void,
): Promise<SeedResult> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  let loaded = 0;
  try {
    const meta = await readMeta(client).catch(() => null);
    loaded = meta?.clinics ?? 0;
  } finally {
    await client.end();
  }
  // A cached data set made with other options or an older schema is started over.
  const restartable = (error: unknown): error is Error =>
    database.embedded && (error instanceof SeedMismatchError || error instanceof MigrationError);
  if (loaded > clinics) {
    if (!database.embedded)
      throw new Error(
        `the database holds ${loaded} generated clinics, more than the scale ${clinics}; use an empty database or larger scales`,
      );
    log(`the cached data set has ${loaded} clinics, more than ${clinics}: starting it over`);
    await database.recreate();
  }
  try {
    return await seedWithProgress(database, clinics, generator, 'auto', log);
  } catch (error) {
    if (!restartable(error)) throw error;
    log(`${error.message}: starting the cached data set over`);
    await database.recreate();
    return seedWithProgress(database, clinics, generator, 'auto', log);
  }
}
