import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedServer, startEmbeddedPostgres } from '@vetalyze/bench/embedded-postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStatementStats } from '../../bench/monitor/statement-stats.js';
import { createVetalyze } from '../../src/index.js';
import { runVetalyze } from '../helpers/cli.js';
import { createTestDatabase } from '../helpers/database.js';
import { createClinic } from '../platform/fixtures.js';

const vetalyze = (...args: string[]) => runVetalyze(args);

async function onDatabase(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

describe('vetalyze stats says what to do when pg_stat_statements is missing (exit 1)', () => {
  it('not installed in the database', async () => {
    const { url } = await createTestDatabase();
    const { status, output } = await vetalyze('stats', '--database-url', url);
    expect(status).toBe(1);
    expect(output).toContain('pg_stat_statements is not installed');
    expect(output).toContain("shared_preload_libraries = 'pg_stat_statements'");
  });

  it('installed but not loaded by the server', async () => {
    const { url } = await createTestDatabase();
    await onDatabase(url, 'create extension pg_stat_statements');
    const { status, output } = await vetalyze('stats', '--database-url', url);
    expect(status).toBe(1);
    expect(output).toContain('installed but not loaded by the server');
  });
});

describe('vetalyze stats on a server that loads pg_stat_statements', () => {
  let parent: string;
  let server: EmbeddedServer;
  let url: string;
  const ownerReads = 7;

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'vz-stats-'));
    server = await startEmbeddedPostgres({
      directory: join(parent, 'pg'),
      persistent: false,
      settings: ['shared_preload_libraries=pg_stat_statements'],
    });
    await onDatabase(server.url, 'create database stats');
    url = server.url.replace(/\/postgres$/, '/stats');
    await onDatabase(url, 'create extension pg_stat_statements');
    const vz = await createVetalyze({ connectionString: url, cacheInvalidation: false });
    try {
      await vz.migrate();
      const clinic = await createClinic(vz);
      const owners = vz.forClinic(clinic.id).owners;
      const owner = await owners.create({ fullName: 'Stats Owner' });
      for (let call = 0; call < ownerReads; call++) await owners.get(owner.id);
    } finally {
      await vz.close();
    }
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await rm(parent, { recursive: true, force: true });
  });

  it('sums the library statements by operation, each under its name', async () => {
    const stats = await readStatementStats(url);
    const byName = new Map(stats.map((row) => [row.operation, row]));
    expect(byName.get('clinic.owners.get')?.calls).toBe(ownerReads);
    expect(byName.get('clinic.owners.create')?.calls).toBe(1);
    expect(byName.get('platform.clinics.create')?.calls).toBe(1);
    // Nothing the library sent is left without its operation's name.
    for (const row of stats) expect(row.operation).toMatch(/^(clinic|platform|shared)\.\w+\.\w+$/);
    const totals = stats.map((row) => row.totalMs);
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
  });

  it('prints them as a table', async () => {
    const { status, output } = await vetalyze('stats', '--database-url', url);
    expect(status).toBe(0);
    expect(output).toMatch(/clinic\.owners\.get\s+7\s/);
  });
});
