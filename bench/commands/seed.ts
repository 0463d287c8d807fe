import { seedWithProgress } from '../seed/scale.js';
import type { IndexStrategy } from '../seed/seed.js';
import { openBenchDatabase } from '../server.js';
import { generatorOptionsFrom } from './options.js';

/** Flags of `vetalyze seed` after parsing. */
export interface SeedFlags extends Record<string, unknown> {
  clinics: number;
  databaseUrl?: string;
  cacheDir: string;
  indexStrategy: IndexStrategy;
}

/** `vetalyze seed --clinics N`: migrates, then grows the data set to N clinics. */
export async function seedCommand(flags: SeedFlags): Promise<void> {
  const database = await openBenchDatabase({
    databaseUrl: flags.databaseUrl,
    cacheDir: flags.cacheDir,
    clinics: flags.clinics,
  });
  try {
    await seedWithProgress(
      database,
      flags.clinics,
      generatorOptionsFrom(flags),
      flags.indexStrategy,
    );
  } finally {
    await database.close();
  }
}
