import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultGeneratorOptions } from '../../bench/generate/options.js';
import { seed } from '../../bench/seed/seed.js';
import { createVetalyze } from '../../src/index.js';
import { osPostgres, startOsPostgres } from '../helpers/debian-postgres.js';
import { createClinic } from '../platform/fixtures.js';

/**
 * Backup and restore as docs/operations.md says: pg_dump -Fc of a seeded
 * database, pg_restore into a new one, then every row, every sequence and
 * every per-clinic counter is the same, and the next create continues the
 * codes. pg_dump cannot dump a newer server than itself (15 refuses 18), so
 * when the test server is newer the file starts a cluster of the OS packages'
 * PostgreSQL.
 */

const found = osPostgres();
// Never skipped: CI installs Debian's postgresql-15 before the tests (.ci/run).
if (!found)
  throw new Error(
    "pg_dump and pg_restore not found in /usr/lib/postgresql/N/bin: install Debian's postgresql-15",
  );
const tools = found;
let server: { url: string; stop(): Promise<void> } | undefined;
let source: pg.Client;
let restored: pg.Client;
let restoredUrl: string;
let folder: string;
const names = {
  source: `vz_backup_source_${process.pid}_${Date.now()}`,
  restored: `vz_backup_restored_${process.pid}_${Date.now()}`,
};

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/** Every table of the schema, and each one's row count and md5 over its rows in text order. */
async function tableFingerprints(client: pg.Client): Promise<Record<string, string>> {
  const { rows: tables } = await client.query<{ name: string }>(
    `select quote_ident(table_name) as name from information_schema.tables
     where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
  );
  const result: Record<string, string> = {};
  for (const { name } of tables) {
    const { rows } = await client.query<{ n: number; hash: string }>(
      `select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as hash
       from ${name} t`,
    );
    result[name] = `${rows[0]?.n} rows, ${rows[0]?.hash}`;
  }
  return result;
}

async function sequences(client: pg.Client): Promise<Record<string, string>> {
  const { rows } = await client.query<{ name: string; value: string }>(
    `select sequencename as name, coalesce(last_value::text, 'unused') as value
     from pg_sequences where schemaname = 'public' order by 1`,
  );
  return Object.fromEntries(rows.map((row) => [row.name, row.value]));
}

beforeAll(async () => {
  const adminUrl = inject('adminUrl');
  const admin = await connect(adminUrl);
  const { rows } = await admin.query<{ major: number }>(
    `select current_setting('server_version_num')::int / 10000 as major`,
  );
  await admin.end();
  server =
    (rows[0]?.major ?? 99) <= tools.major
      ? { url: adminUrl, stop: async () => {} }
      : await startOsPostgres(tools.bin);
  const setup = await connect(server.url);
  await setup.query(`create database ${names.source}`);
  await setup.query(`create database ${names.restored}`);
  await setup.end();
  const sourceUrl = databaseUrl(server.url, names.source);
  restoredUrl = databaseUrl(server.url, names.restored);

  await seed({
    databaseUrl: sourceUrl,
    clinics: 3,
    generator: { ...defaultGeneratorOptions(), ownersPerClinic: 60, anchorDate: '2026-06-15' },
    indexStrategy: 'keep',
  });
  // Writes through the library on top of the seed: a clinic, owners, an archived one.
  const vz = await createVetalyze({ connectionString: sourceUrl, cacheInvalidation: false });
  const clinic = await createClinic(vz);
  const scope = vz.forClinic(clinic.id);
  await scope.owners.create({ fullName: 'Kept Owner', pets: [{ name: 'Kept', petTypeId: 1 }] });
  const gone = await scope.owners.create({ fullName: 'Archived Owner' });
  await scope.owners.remove(gone.id);
  await vz.close();

  folder = await mkdtemp(join(tmpdir(), 'vz-backup-'));
  const file = join(folder, 'vetalyze.dump');
  execFileSync(
    join(tools.bin, 'pg_dump'),
    ['--format=custom', `--file=${file}`, `--dbname=${sourceUrl}`],
    {
      stdio: 'pipe',
    },
  );
  execFileSync(
    join(tools.bin, 'pg_restore'),
    ['--no-owner', '--exit-on-error', `--dbname=${restoredUrl}`, file],
    { stdio: 'pipe' },
  );
  source = await connect(sourceUrl);
  restored = await connect(restoredUrl);
});

afterAll(async () => {
  await source?.end();
  await restored?.end();
  if (server) {
    const admin = await connect(server.url);
    for (const name of Object.values(names))
      await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
    await server.stop();
  }
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('pg_dump and pg_restore', () => {
  it('restores every row of every table', async () => {
    const expected = await tableFingerprints(source);
    expect(Object.keys(expected)).toEqual(
      expect.arrayContaining([
        'owners',
        'pets',
        'clinics',
        'clinic_counters',
        'subscription_history',
      ]),
    );
    expect(await tableFingerprints(restored)).toEqual(expected);
  });

  it('restores every sequence', async () => {
    const expected = await sequences(source);
    expect(Object.keys(expected).length).toBeGreaterThan(0);
    expect(await sequences(restored)).toEqual(expected);
  });

  it('continues the codes and ids after the restore', async () => {
    const { rows } = await restored.query<{
      clinic_id: number;
      last_owner_seq: number;
      max_clinic: number;
    }>(
      `select c.clinic_id, c.last_owner_seq, (select max(id) from clinics)::int as max_clinic
       from clinic_counters c order by c.clinic_id`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(4);
    const vz = await createVetalyze({ connectionString: restoredUrl, cacheInvalidation: false });
    try {
      for (const row of rows) {
        const owner = await vz
          .forClinic(row.clinic_id)
          .owners.create({ fullName: 'After Restore' });
        expect(owner.code).toBe(`O-${String(row.last_owner_seq + 1).padStart(6, '0')}`);
      }
      const clinic = await createClinic(vz);
      expect(clinic.id).toBe((rows[0]?.max_clinic ?? 0) + 1);
    } finally {
      await vz.close();
    }
  });
});
