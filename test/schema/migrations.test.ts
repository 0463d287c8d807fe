import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { findMigrationsDirectory, MigrationError, migrate } from '../../src/index.js';
import { createTestDatabase } from '../helpers/database.js';

async function countRecorded(url: string): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; n: number }>(
      'select name, count(*)::int as n from vetalyze_migrations group by name',
    );
    return new Map(rows.map((row) => [row.name, row.n]));
  } finally {
    await client.end();
  }
}

describe('migrate', () => {
  it('applies nothing the second time on a migrated database', async () => {
    const database = await createTestDatabase();
    const result = await migrate(database.url);
    expect(result.applied).toEqual([]);
    expect(result.alreadyApplied.length).toBeGreaterThanOrEqual(6);
  });

  it('applies each file exactly once when 8 processes migrate an empty database at once', async () => {
    const database = await createTestDatabase();
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    // An empty database on the same server: drop everything the template brought.
    await admin.query('drop schema public cascade; create schema public;');
    await admin.end();

    const results = await Promise.all(Array.from({ length: 8 }, () => migrate(database.url)));
    const files = results.flatMap((result) => result.applied);
    const expected = results[0]?.applied.length
      ? results[0].applied
      : results.find((r) => r.applied.length)?.applied;
    expect(new Set(files).size).toBe(files.length);
    expect(files.length).toBe(expected?.length);
    const recorded = await countRecorded(database.url);
    expect([...recorded.values()].every((n) => n === 1)).toBe(true);
    expect(recorded.size).toBe(files.length);
  });

  it('refuses a changed applied file and names it', async () => {
    const database = await createTestDatabase();
    const directory = await mkdtemp(join(tmpdir(), 'vz-migrations-'));
    onTestFinished(() => rm(directory, { recursive: true }));
    await cp(findMigrationsDirectory(), directory, { recursive: true });
    await writeFile(
      join(directory, '0003_reference_data.sql'),
      `-- edited ${randomBytes(4).toString('hex')}\n`,
      {
        flag: 'a',
      },
    );
    const attempt = migrate(database.url, directory);
    await expect(attempt).rejects.toBeInstanceOf(MigrationError);
    await expect(attempt).rejects.toThrow(/0003_reference_data\.sql/);
  });

  it('gives the accounts of a database migrated before 0012 the clinic they work for', async () => {
    const database = await createTestDatabase();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('drop schema public cascade; create schema public;');
      const before = await mkdtemp(join(tmpdir(), 'vz-migrations-'));
      onTestFinished(() => rm(before, { recursive: true }));
      await cp(findMigrationsDirectory(), before, {
        recursive: true,
        filter: (source) => !/[/\\](001[2-9]|00[2-9]\d)_[^/\\]*\.sql$/.test(source),
      });
      await rm(join(before, 'citus'), { recursive: true });
      expect((await migrate(database.url, before)).applied.at(-1)).toBe(
        '0011_month_totals_index_only.sql',
      );
      const { rows } = await client.query<{
        clinic: number;
        owner: number;
        doctor: number;
        free: number;
        admin: number;
      }>(
        `with owner as (
           insert into users (email, full_name, role) values ('o@example.com', 'O', 'clinic_owner') returning id
         ), doctor as (
           insert into users (email, full_name, role) values ('d@example.com', 'D', 'doctor') returning id
         ), free as (
           insert into users (email, full_name, role) values ('f@example.com', 'F', 'doctor') returning id
         ), admin as (
           insert into users (email, full_name, role) values ('a@example.com', 'A', 'platform_admin') returning id
         ), c as (
           insert into clinics (owner_user_id, country_code, clinic_name, owner_phone_number, clinic_phone_number)
           select id, 'DE', 'Old', '+49 1', '030 1' from owner returning id, owner_user_id
         ), staff as (
           insert into clinic_staff (clinic_id, user_id, role)
           select id, owner_user_id, 'clinic_owner'::user_role from c
           union all select c.id, doctor.id, 'doctor' from c, doctor
         )
         select c.id as clinic, c.owner_user_id as owner, doctor.id as doctor, free.id as free, admin.id as admin
         from c, doctor, free, admin`,
      );
      const ids = rows[0];
      await migrate(database.url);
      const { rows: accounts } = await client.query<{ id: number; staff_clinic_id: number | null }>(
        'select id, staff_clinic_id from users order by id',
      );
      expect(accounts).toEqual([
        { id: ids?.owner, staff_clinic_id: ids?.clinic },
        { id: ids?.doctor, staff_clinic_id: ids?.clinic },
        { id: ids?.free, staff_clinic_id: null },
        { id: ids?.admin, staff_clinic_id: null },
      ]);
    } finally {
      await client.end();
    }
  });
});
