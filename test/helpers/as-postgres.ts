import { existsSync } from 'node:fs';

// runuser lives in sbin, which a CI job's PATH may not include.
const runuser =
  ['/usr/sbin/runuser', '/sbin/runuser'].find((path) => existsSync(path)) ?? 'runuser';

/**
 * The command line that runs `program` as the `postgres` user when this process
 * is root (PostgreSQL refuses to run as root), else as it is.
 */
export function asPostgres(program: string): [string, ...string[]] {
  return process.getuid?.() === 0 ? [runuser, '-u', 'postgres', '--', program] : [program];
}
