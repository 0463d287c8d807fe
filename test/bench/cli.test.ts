import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { passesOf } from '../../bench/commands/bench.js';
import {
  databaseUrlFromEnv,
  diskNeededBytes,
  operationIds,
} from '../../bench/commands/preflight.js';
import { checkKinds } from '../../bench/report/checks.js';
import { runVetalyze } from '../helpers/cli.js';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'vetalyze-cli-'));
});

/** `vetalyze ...args` on the embedded default, also when the suite runs on DATABASE_URL (CI's PG15 phase). */
const vetalyze = (...args: string[]) =>
  runVetalyze(args, { DATABASE_URL: '', PGHOST: '', PGDATABASE: '' });

describe('vetalyze refuses inputs that would void a run, before measuring (exit 2)', () => {
  it('an unknown --check-kinds kind, listing the valid ones', async () => {
    const cacheDir = join(folder, 'kinds');
    const { status, output } = await vetalyze(
      'bench',
      '--cache-dir',
      cacheDir,
      '--check',
      '--check-kinds',
      'latency,speed',
    );
    expect(status).toBe(2);
    expect(output).toContain("unknown check kind 'speed'");
    for (const kind of checkKinds) expect(output).toContain(kind);
    expect(existsSync(cacheDir)).toBe(false); // no server was started
  });

  it('an unknown --only operation id, listing the valid ones', async () => {
    const cacheDir = join(folder, 'only');
    const { status, output } = await vetalyze('bench', '--cache-dir', cacheDir, '--only', 'x.y');
    expect(status).toBe(2);
    expect(output).toContain("unknown operation id 'x.y'");
    for (const id of operationIds) expect(output).toContain(id);
    expect(existsSync(cacheDir)).toBe(false);
  });

  it('an --out that is a file, not a writable folder', async () => {
    const file = join(folder, 'a-file');
    await writeFile(file, 'x');
    const cacheDir = join(folder, 'out');
    const { status, output } = await vetalyze('bench', '--cache-dir', cacheDir, '--out', file);
    expect(status).toBe(2);
    expect(output).toContain(`--out ${file}: must be a writable folder`);
    expect(existsSync(cacheDir)).toBe(false);
  });

  it('--scales whose data set does not fit on the disk, naming both numbers', async () => {
    const cacheDir = join(folder, 'huge');
    const { status, output } = await vetalyze(
      'bench',
      '--cache-dir',
      cacheDir,
      '--out',
      join(folder, 'reports'),
      '--scales',
      '50,900000000',
    );
    expect(status).toBe(2);
    expect(output).toMatch(
      /data set of 900000000 clinics needs about [\d.]+ GB of disk, but .* has [\d.]+ GB/,
    );
    expect(existsSync(cacheDir)).toBe(false);
  });

  it('a --budgets file naming an unknown operation', async () => {
    const budgets = join(folder, 'budgets.json');
    await writeFile(budgets, JSON.stringify({ p95Ms: { 'owners.fly': 1 } }));
    const { status, output } = await vetalyze(
      'bench',
      '--cache-dir',
      join(folder, 'budgets'),
      '--out',
      join(folder, 'reports'),
      '--budgets',
      budgets,
    );
    expect(status).toBe(2);
    expect(output).toContain('unknown operation id owners.fly');
  });

  it('a malformed --database-url, without echoing it', async () => {
    const { status, output } = await vetalyze('migrate', '--database-url', 'db:secret@host');
    expect(status).toBe(2);
    expect(output).toContain('--database-url is malformed');
    expect(output).not.toContain('secret');
  });

  it('--repeat 0 (or above the most allowed), before any server starts', async () => {
    const cacheDir = join(folder, 'repeat');
    for (const value of ['0', '21', '1.5']) {
      const { status, output } = await vetalyze(
        'bench',
        '--cache-dir',
        cacheDir,
        '--repeat',
        value,
      );
      expect(status, value).toBe(2);
      expect(output).toContain(`--repeat <n>' argument '${value}' is invalid`);
    }
    expect(existsSync(cacheDir)).toBe(false);
  });

  it('a bad numeric flag', async () => {
    const { status } = await vetalyze('bench', '--scales', '50,abc');
    expect(status).toBe(2);
  });
});

describe('vetalyze conventions', () => {
  it('--version prints the package version and exits 0', async () => {
    const { status, output } = await vetalyze('--version');
    expect(status).toBe(0);
    expect(output.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('help lists every operation id and shows defaults', async () => {
    const { status, output } = await vetalyze('bench', '--help');
    expect(status).toBe(0);
    for (const id of operationIds) expect(output).toContain(id);
    expect(output).toContain('(default: "reports")');
    expect(output).toContain('(default: 3, 1 with --quick)');
  });

  it('a run without --repeat takes medians of 3 passes; --quick of 1; --repeat wins', () => {
    expect(passesOf({})).toBe(3);
    expect(passesOf({ quick: true })).toBe(1);
    expect(passesOf({ repeat: 5, quick: true })).toBe(5);
  });

  it('a refused connection names host, port, database and cause, never the password', async () => {
    const { status, output } = await vetalyze(
      'migrate',
      '--database-url',
      'postgres://app:hunter2@127.0.0.1:1/clinics',
    );
    expect(status).toBe(1);
    expect(output).toContain('127.0.0.1:1, database "clinics" as user "app"');
    expect(output).toContain('connection refused');
    expect(output).not.toContain('hunter2');
  });

  it('takes DATABASE_URL, else the PG* variables, as the default database', () => {
    expect(databaseUrlFromEnv({ DATABASE_URL: 'postgres://a@h/d', PGHOST: 'x' })).toBe(
      'postgres://a@h/d',
    );
    expect(
      databaseUrlFromEnv({ PGHOST: 'db', PGPORT: '6432', PGUSER: 'app', PGDATABASE: 'vz' }),
    ).toBe('postgres://app@db:6432/vz');
    expect(databaseUrlFromEnv({})).toBeUndefined();
  });

  it('estimates disk from bytes per clinic, scaled by owners per clinic', () => {
    expect(diskNeededBytes(1000, 1500)).toBeCloseTo(1000 * 1e6 * 2.1, -6);
    expect(diskNeededBytes(1000, 750)).toBeCloseTo(diskNeededBytes(500, 1500), -3);
    // The WAL part stops at the embedded server's max_wal_size (4 GB).
    expect(diskNeededBytes(10_000, 1500)).toBeCloseTo(10_000 * 1e6 * 1.1 + 4e9, -6);
  });
});
