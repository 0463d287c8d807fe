/**
 * The examples as a user runs them: `node examples/....ts` in a child process
 * (Node 24 strips the types), with `@vetalyze/db` resolving to the package as
 * built by `npm run build`, which this file runs first.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { signClinicToken } from '../../examples/http-api/auth.js';
import { createTestVetalyze, type TestDatabase } from '../helpers/database.js';
import {
  call,
  clinicTokenSecret,
  fillClinic,
  operatorToken,
  readRest,
  sessionsInTransaction,
  startHeldPost,
  startPausedDownload,
} from './http-helpers.js';

const root = new URL('../../', import.meta.url).pathname;

beforeAll(async () => {
  await promisify(execFile)('npm', ['run', 'build', '--silent'], { cwd: root });
}, 300_000);

/** A child `node <file>` with its output collected. */
function runNode(file: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [file], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, output, exited };
}

/** Waits until the child has printed a line matching `pattern`; returns the match. */
async function printed(
  run: { output: { stdout: string; stderr: string }; child: ChildProcess },
  pattern: RegExp,
): Promise<RegExpMatchArray> {
  return vi.waitFor(
    () => {
      const match = pattern.exec(run.output.stdout);
      if (!match) throw new Error(`not yet: ${pattern}\n${run.output.stdout}${run.output.stderr}`);
      return match;
    },
    { timeout: 60_000, interval: 50 },
  );
}

describe('examples run by node, importing the built package', () => {
  it('quickstart.ts runs to the end as an ES module and exits 0', async () => {
    const { database } = await createTestVetalyze();
    const run = runNode('examples/quickstart.ts', { DATABASE_URL: database.url });
    const [code] = await run.exited;
    expect(run.output.stderr).toBe('');
    expect(code).toBe(0);
    expect(run.output.stdout).toMatch(
      /^by phone: Jonas Klein\nclinic \d+: active\nO-000002 Mia Schmidt: Minka\nO-000001 Jonas Klein: Bello\n$/,
    );
  }, 120_000);

  it('quickstart.ts without DATABASE_URL runs on an embedded PostgreSQL and exits 0', async () => {
    const { DATABASE_URL: _ignored, ...env } = process.env;
    const child = spawn(process.execPath, ['examples/quickstart.ts'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(stdout).toMatch(/^by phone: Jonas Klein\nclinic 1: active\n/);
    expect(code).toBe(0);
  }, 180_000);

  it('http-api/main.ts, on SIGTERM, refuses new connections, answers every request in flight, closes and exits 0', async () => {
    const { vz, database } = await createTestVetalyze();
    await vz.migrate();
    const run = runNode('examples/http-api/main.ts', {
      DATABASE_URL: database.url,
      CLINIC_TOKEN_SECRET: clinicTokenSecret,
      OPERATOR_TOKEN: operatorToken,
      PORT: '0',
    });
    try {
      await runShutdown(run, vz, database);
    } finally {
      run.child.kill('SIGKILL'); // only if the test failed before the child exited
    }
  }, 300_000);
});

async function runShutdown(
  run: ReturnType<typeof runNode>,
  vz: Awaited<ReturnType<typeof createTestVetalyze>>['vz'],
  database: TestDatabase,
): Promise<void> {
  const [, baseUrl = ''] = await printed(run, /listening on (http:\S+)/);
  const operator = await vz.users.create({
    email: 'ops@ops.example',
    fullName: 'Ops',
    role: 'platform_admin',
  });
  const clinic = await call(baseUrl, 'POST', '/operator/clinics', {
    token: operatorToken,
    body: {
      clinicName: 'Praxis Shutdown',
      countryCode: 'DE',
      ownerPhoneNumber: '+49 170 1',
      clinicPhoneNumber: '+49 30 1',
      owner: { email: 'shutdown@praxis.example', fullName: 'Shutdown' },
    },
  });
  await call(baseUrl, 'POST', `/operator/clinics/${clinic.body.id}/subscriptions/activate`, {
    token: operatorToken,
    body: { subscriptionTypeId: 1, paymentMethodId: 1, activatedBy: operator.id },
  });
  const owners = 20_000;
  await fillClinic(vz, clinic.body.id, owners);
  const token = signClinicToken(clinicTokenSecret, clinic.body.id);

  // In flight 1: an export whose client has its first bytes and reads no more.
  const download = await startPausedDownload(new URL('/exports/owners.csv', baseUrl).href, token);
  // In flight 2: a POST the server has taken in, whose body comes after the signal.
  const post = await startHeldPost(new URL('/owners', baseUrl).href, token);

  // The export waits mid-way, in its transaction, for the client to read on.
  await vi.waitFor(async () => expect(await sessionsInTransaction(database.url)).toBe(1), {
    timeout: 60_000,
    interval: 100,
  });

  run.child.kill('SIGTERM');
  await printed(run, /SIGTERM: draining/);
  // No new connection is accepted.
  await expect(fetch(new URL('/owners', baseUrl))).rejects.toThrow();

  // Both requests in flight are answered in full.
  post.send({ fullName: 'Arrived During Shutdown' });
  const postResponse = await post.response;
  expect(postResponse.statusCode).toBe(201);
  expect(postResponse.headers.connection).toBe('close');
  expect(JSON.parse(await readRest(postResponse))).toMatchObject({
    fullName: 'Arrived During Shutdown',
  });
  const csv = download.firstChunk.toString('utf8') + (await readRest(download.response));
  expect(csv.trimEnd().split('\n')).toHaveLength(owners + 1);

  // Then the pools close and the process ends by itself, with code 0.
  const [code, signal] = await vi.waitFor(() => run.exited, { timeout: 60_000 });
  expect({ code, signal, stderr: run.output.stderr }).toEqual({
    code: 0,
    signal: null,
    stderr: '',
  });
  expect(run.output.stdout).toMatch(/SIGTERM: draining\nclosed\n$/);
}
