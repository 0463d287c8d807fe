import { constants } from 'node:fs';
import { access, mkdir, readdir, readFile, stat, statfs } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import pg from 'pg';
import { z } from 'zod';
import { defaultGeneratorOptions } from '../generate/options.js';
import { checkKinds } from '../report/checks.js';
import { type OperationTarget, operationTargets } from '../targets.js';

/**
 * An input that would void a run, refused before anything is measured. The CLI
 * prints its message and exits with status 2 (the usage-error convention).
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The operation ids `--only` accepts, in report order. */
export const operationIds: readonly string[] = operationTargets.map((target) => target.id);

function listOf(value: string, allowed: readonly string[], what: string): string[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  const unknown = items.filter((item) => !allowed.includes(item));
  if (items.length === 0 || unknown.length > 0)
    throw new InvalidArgumentError(
      `unknown ${what} ${unknown.map((item) => `'${item}'`).join(', ') || "''"}; allowed: ${allowed.join(', ')}`,
    );
  return [...new Set(items)];
}

/** Parses `--check-kinds`: a comma-separated list of known check kinds. */
export function checkKindList(value: string): string[] {
  return listOf(value, checkKinds, 'check kind');
}

/** The most latency passes `--repeat` takes: each pass costs a full latency round. */
export const maxRepeat = 20;

/**
 * Parses `--repeat`: latency passes per scale, a whole number from 1 to
 * {@link maxRepeat} (0 would measure nothing and report medians of nothing).
 */
export function repeatCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > maxRepeat)
    throw new InvalidArgumentError(`must be a whole number from 1 to ${maxRepeat}`);
  return count;
}

/** Parses `--only`: a comma-separated list of known operation ids. */
export function operationIdList(value: string): string[] {
  return listOf(value, operationIds, 'operation id');
}

/**
 * Makes `--out` (creating it when missing) and proves it is a folder this
 * process can write, so a run's results are never lost at the end of it.
 */
export async function ensureWritableFolder(path: string): Promise<void> {
  const full = resolve(path);
  try {
    await mkdir(full, { recursive: true });
    if (!(await stat(full)).isDirectory()) throw new Error('not a folder');
    await access(full, constants.W_OK);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(`--out ${path}: must be a writable folder (${reason})`);
  }
}

/**
 * Bytes per clinic of the whole data set with its indexes, at the generator's
 * default of 1,500 owners per clinic: 966 MB at 1000 clinics and 9.24 GB at
 * 10,000 on PostgreSQL 18 (docs/capacity-planning.md), rounded up.
 */
export const bytesPerClinic = 1.0e6;
/** The embedded server's max_wal_size: WAL a load can hold on disk before a checkpoint. */
const walCeilingBytes = 4e9;

/**
 * Disk a data set of `clinics` needs: the data with indexes (scaled by owners
 * per clinic), plus the WAL its load writes (about its size, capped by
 * max_wal_size), plus a tenth for index rebuilds' sort files.
 */
export function diskNeededBytes(clinics: number, ownersPerClinic: number): number {
  const data =
    clinics * bytesPerClinic * (ownersPerClinic / defaultGeneratorOptions().ownersPerClinic);
  return data * 1.1 + Math.min(data, walCeilingBytes);
}

/** Total size of the files under `path`; 0 when it does not exist. */
async function folderBytes(path: string): Promise<number> {
  const entries = await readdir(path, { recursive: true, withFileTypes: true }).catch(() => []);
  let total = 0;
  for (const entry of entries)
    if (entry.isFile())
      total += await stat(join(entry.parentPath, entry.name)).then(
        (stats) => stats.size,
        () => 0,
      );
  return total;
}

/** The nearest folder at or above `path` that exists. */
async function existingAncestor(path: string): Promise<string> {
  for (let folder = resolve(path); ; folder = dirname(folder)) {
    if (
      await stat(folder).then(
        () => true,
        () => false,
      )
    )
      return folder;
    if (dirname(folder) === folder) return folder;
  }
}

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;

/**
 * Refuses a ladder whose largest data set would not fit on the disk of the
 * embedded server's folder: the space it needs against what is free there plus
 * what the folder already holds (a grown data set is reused, a fresh one
 * replaces it). Returns the line every accepted run prints.
 */
export async function checkDiskFor(options: {
  clinics: number;
  ownersPerClinic: number;
  cacheDir: string | undefined;
}): Promise<string> {
  const needed = diskNeededBytes(options.clinics, options.ownersPerClinic);
  const what = `the data set of ${options.clinics} clinics needs about ${gb(needed)} of disk`;
  if (options.cacheDir === undefined)
    return `${what} on the database server (not checked: --database-url is not this machine's disk)`;
  const folder = await existingAncestor(options.cacheDir);
  const { bavail, bsize } = await statfs(folder);
  const held = await folderBytes(resolve(options.cacheDir));
  const available = bavail * bsize + held;
  if (needed > available)
    throw new UsageError(
      `--scales up to ${options.clinics}: ${what}, but ${folder} has ${gb(available)} (free ${gb(bavail * bsize)} + ${gb(held)} already in ${options.cacheDir}); choose smaller --scales or a --cache-dir on a bigger disk`,
    );
  return `${what}; ${gb(available)} available in ${folder}`;
}

/**
 * `DATABASE_URL`, else a URL from the `PG*` variables node-postgres reads
 * (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD) when PGHOST or PGDATABASE is
 * set, else undefined (the embedded server).
 */
export function databaseUrlFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const url = env.DATABASE_URL?.trim();
  if (url) return url;
  if (!env.PGHOST && !env.PGDATABASE) return undefined;
  const parsed = new URL('postgres://localhost');
  if (env.PGHOST) parsed.hostname = env.PGHOST;
  if (env.PGPORT) parsed.port = env.PGPORT;
  if (env.PGUSER) parsed.username = env.PGUSER;
  if (env.PGPASSWORD) parsed.password = env.PGPASSWORD;
  parsed.pathname = `/${env.PGDATABASE ?? env.PGUSER ?? ''}`;
  return parsed.toString();
}

const causes: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is the server running on that port?)',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'unknown host (name lookup failed)',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset by the server',
  '28P01': 'password authentication failed',
  '28000': 'the server refused this user (pg_hba.conf or role)',
  '3D000': 'the database does not exist',
  '57P03': 'the server is starting up or shutting down',
};

/** Where `url` points, without its password: `host:port, database "name" as user "u"`. */
function describeTarget(url: URL): string {
  const database = decodeURIComponent(url.pathname.slice(1)) || '(default)';
  const user = decodeURIComponent(url.username) || '(default)';
  return `${url.hostname || 'localhost'}:${url.port || '5432'}, database "${database}" as user "${user}"`;
}

/**
 * Connects once to `url` and disconnects, so a wrong URL fails before anything
 * is seeded or measured. A malformed URL is a UsageError; a refused, unknown or
 * unauthorised connection is an Error naming host, port, database, user and
 * cause, never the password.
 */
export async function checkDatabaseUrl(url: string): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
    if (!/^postgres(ql)?:$/.test(parsed.protocol)) throw new Error('not a postgres:// URL');
  } catch {
    throw new UsageError(
      '--database-url is malformed: expected postgres://user:password@host:port/database',
    );
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    const cause = causes[code] ?? (error instanceof Error ? error.message : String(error));
    throw new Error(
      `cannot connect to PostgreSQL at ${describeTarget(parsed)}: ${cause}${code ? ` (${code})` : ''}`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

const budgetFile = z.strictObject({ p95Ms: z.record(z.string(), z.number().positive()) });

/**
 * The operation targets with the p95 budgets of a `--budgets` file applied:
 * `{ "p95Ms": { "owners.get": 0.5 } }`, for hardware slower or faster than the
 * 2-core machine the defaults were set on. An unreadable file, another shape
 * or an unknown operation id is a UsageError.
 */
export async function targetsWithBudgets(path: string | undefined): Promise<OperationTarget[]> {
  if (path === undefined) return [...operationTargets];
  let p95Ms: Record<string, number>;
  try {
    p95Ms = budgetFile.parse(JSON.parse(await readFile(path, 'utf8'))).p95Ms;
  } catch (error) {
    const reason = error instanceof z.ZodError ? z.prettifyError(error) : String(error);
    throw new UsageError(
      `--budgets ${path}: expected {"p95Ms": {"<operation id>": ms}}: ${reason}`,
    );
  }
  const unknown = Object.keys(p95Ms).filter((id) => !operationIds.includes(id));
  if (unknown.length > 0)
    throw new UsageError(
      `--budgets ${path}: unknown operation id ${unknown.join(', ')}; allowed: ${operationIds.join(', ')}`,
    );
  return operationTargets.map((target) => ({
    ...target,
    budgetP95Ms: p95Ms[target.id] ?? target.budgetP95Ms,
  }));
}
