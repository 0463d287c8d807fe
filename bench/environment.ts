import { cpus, platform, release, totalmem } from 'node:os';
import type pg from 'pg';

/** Where a report was measured: a capacity planner compares machines with this. */
export interface Environment {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly os: string;
  readonly node: string;
  readonly postgres: {
    readonly version: string;
    /** Where the server ran: `embedded` (same machine, harness settings) or `database-url`. */
    readonly source: string;
    readonly settings: Readonly<Record<string, string>>;
  };
}

/** The server settings that move latency figures. */
export const reportedSettings = [
  'shared_buffers',
  'work_mem',
  'maintenance_work_mem',
  'effective_cache_size',
  'max_connections',
  'fsync',
  'synchronous_commit',
  'full_page_writes',
  'wal_level',
  'jit',
  'random_page_cost',
  'max_parallel_workers_per_gather',
  'huge_pages_status',
  'io_method',
] as const;

/** Describes this machine and the PostgreSQL server behind `client`. */
export async function describeEnvironment(
  client: pg.ClientBase,
  source: string,
): Promise<Environment> {
  const version = await client.query<{ server_version: string }>('show server_version');
  const settings = await client.query<{ name: string; setting: string; unit: string | null }>(
    `select name, current_setting(name) as setting, unit from pg_settings where name = any($1)`,
    [reportedSettings],
  );
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryBytes: totalmem(),
    os: `${platform()} ${release()}`,
    node: process.version,
    postgres: {
      version: version.rows[0]?.server_version ?? 'unknown',
      source,
      settings: Object.fromEntries(settings.rows.map((row) => [row.name, row.setting])),
    },
  };
}
