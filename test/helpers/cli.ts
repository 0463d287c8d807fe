import { vi } from 'vitest';
import { main } from '../../bench/program.js';

/**
 * Runs `vetalyze ...args` in this process; resolves with its exit status and
 * everything it printed. `env` values replace the process's for the call
 * (`''` hides a variable, e.g. DATABASE_URL for the embedded default).
 */
export async function runVetalyze(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<{ status: number; output: string }> {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  let output = '';
  const keep = (chunk: unknown) => {
    output += String(chunk);
    return true;
  };
  vi.spyOn(process.stderr, 'write').mockImplementation(keep);
  vi.spyOn(process.stdout, 'write').mockImplementation(keep);
  try {
    return { status: await main(['node', 'vetalyze', ...args]), output };
  } finally {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  }
}
