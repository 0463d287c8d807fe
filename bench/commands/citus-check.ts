import { citusCheck, formatCitusCheck } from '../citus/check.js';

/**
 * `vetalyze citus-check --database-url URL`: prints the task count of every
 * clinic-scope statement on a Citus-migrated database; resolves with the exit
 * status, 1 when a statement needs more than one task, a call (clinic
 * scope or platform) fails or a public method was not called (logic: bench/citus/check.ts).
 */
export async function citusCheckCommand(databaseUrl: string): Promise<number> {
  const result = await citusCheck(databaseUrl);
  process.stdout.write(formatCitusCheck(result));
  return result.multiTask.length +
    result.failedCalls.length +
    result.uncalled.length +
    result.failedPlatformCalls.length +
    result.uncalledPlatform.length >
    0
    ? 1
    : 0;
}
