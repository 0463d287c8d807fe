import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  createVetalyze,
  UnavailableError,
  ValidationError,
  type VetalyzeOptions,
} from '../../src/index.js';
import { createTestDatabase, createTestVetalyze } from '../helpers/database.js';

const database = await createTestDatabase();

describe('createVetalyze options', () => {
  it('refuses an unknown option key by name instead of dropping it', async () => {
    const error = await createVetalyze({
      connectionString: database.url,
      poolsize: 4,
    } as VetalyzeOptions).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain('poolsize');
  });

  it('refuses an unknown key inside ssl', async () => {
    const error = await createVetalyze({
      connectionString: database.url,
      ssl: { rejectUnauthorised: false } as VetalyzeOptions['ssl'],
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain('rejectUnauthorised');
  });

  it('passes ssl to the driver: TLS against a server without it is UnavailableError', async () => {
    const error = await createVetalyze({
      connectionString: database.url,
      ssl: { rejectUnauthorized: false },
      cacheInvalidation: false,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnavailableError);
    expect(String((error as Error).cause ?? (error as Error).message)).toMatch(/SSL/i);
  });

  it('names its connections with applicationName', async () => {
    const { vz } = await createTestVetalyze({ applicationName: 'clinic-api-7' });
    await vz.lookups.countries();
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity where application_name = 'clinic-api-7'`,
      );
      expect(rows[0]?.n).toBeGreaterThanOrEqual(1);
    } finally {
      await admin.end();
    }
  });
});

/** Runs `body` as an ES module in a child Node.js with the built package imported as `createVetalyze`. */
async function runScript(body: string): Promise<{ code: number | null; stdout: string }> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const entry = `${root}dist/index.js`;
  // The child runs the built package as a host would; CI builds before testing.
  if (!existsSync(entry)) execFileSync('npx', ['tsup'], { cwd: root, stdio: 'ignore' });
  const script = `import { createVetalyze } from ${JSON.stringify(entry)};\n${body}`;
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--input-type=module', '-e', script],
      { timeout: 60_000 },
      (_error, stdout) => resolve({ code: child.exitCode, stdout }),
    );
  });
}

describe('a host script on the built package', () => {
  it('that forgets close() still exits once idle, with its own exit code', async () => {
    const outcome = await runScript(`
      const vz = await createVetalyze({ connectionString: ${JSON.stringify(database.url)} });
      const countries = await vz.lookups.countries();
      await vz.clinics.list({ limit: 5 });
      console.log('countries', countries.length);
      process.exitCode = 3;
    `);
    expect(outcome.stdout).toMatch(/countries \d+/);
    // 3, not a kill by the 60 s timeout (null): idle connections let the process end.
    expect(outcome.code).toBe(3);
  }, 90_000);

  it('that awaits close() at top level gets past it and exits 0', async () => {
    const outcome = await runScript(`
      const vz = await createVetalyze({ connectionString: ${JSON.stringify(database.url)} });
      await vz.lookups.countries();
      await vz.close();
      console.log('after close');
    `);
    // Seen before the fix: close() never settled, Node exited 13 ("unsettled top-level await").
    expect(outcome.stdout).toContain('after close');
    expect(outcome.code).toBe(0);
  }, 90_000);
});
