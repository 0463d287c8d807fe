import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@vetalyze/bench/embedded-postgres';
import { asPostgres } from './as-postgres.js';

/** The newest PostgreSQL installed by the OS packages (Debian: /usr/lib/postgresql/N/bin), if any. */
export function osPostgres(): { major: number; bin: string } | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .map(Number)
    .filter((major) => existsSync(join(root, String(major), 'bin', 'pg_dump')))
    .sort((x, y) => y - x);
  const major = majors[0];
  return major === undefined ? undefined : { major, bin: join(root, String(major), 'bin') };
}

/** Runs an OS PostgreSQL program, as the `postgres` user when this process is root. */
function runAsPostgres(program: string, args: string[]): void {
  const [command, ...prefix] = asPostgres(program);
  execFileSync(command, [...prefix, ...args], { stdio: 'pipe' });
}

/**
 * Starts a throwaway cluster of the OS packages' PostgreSQL (trust auth, TCP on
 * loopback only), for tools that cannot talk to a newer server: pg_dump 15
 * refuses an 18 server.
 */
export async function startOsPostgres(
  bin: string,
): Promise<{ url: string; stop(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'vz-os-pg-'));
  // The `postgres` user must reach the folder (mkdtemp makes it 0700).
  chmodSync(root, 0o777);
  const data = join(root, 'data');
  const port = await freePort();
  runAsPostgres(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
  ]);
  runAsPostgres(join(bin, 'pg_ctl'), [
    '-D',
    data,
    '-w',
    '-t',
    '120',
    '-l',
    join(data, 'server.log'),
    '-o',
    `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off`,
    'start',
  ]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      runAsPostgres(join(bin, 'pg_ctl'), ['-D', data, '-w', '-t', '120', '-m', 'fast', 'stop']);
      await rm(root, { recursive: true, force: true });
    },
  };
}
