import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
import type { Vetalyze } from '../../src/index.js';
import { createTestVetalyze, type TestDatabase } from '../helpers/database.js';

/**
 * Plain-SQL fixtures for the clinic-scope tests: clinics and users are made
 * here, not through `vz.clinics`/`vz.users` (another scope, built in parallel).
 */

/** A raw pool on the test database, for fixtures and for before/after comparisons. */
export function createSqlPool(database: TestDatabase): pg.Pool {
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  afterAll(() => pool.end());
  return pool;
}

/** A clinic made by SQL: its owner account, staff row and counter row. */
export interface TestClinic {
  readonly clinicId: number;
  readonly ownerUserId: number;
}

/** Inserts a clinic of `countryCode` (default DE) with its owner account, as clinics.create would. */
export async function insertClinic(pool: pg.Pool, countryCode = 'DE'): Promise<TestClinic> {
  const tag = randomBytes(4).toString('hex');
  const { rows } = await pool.query<{ clinic_id: number; owner_user_id: number }>(
    `with u as (
       insert into users (email, full_name, role, staff_clinic_id)
       select $1, $2, 'clinic_owner', nextval(pg_get_serial_sequence('clinics', 'id'))::int
       returning id, staff_clinic_id
     ), c as (
       insert into clinics (id, owner_user_id, country_code, clinic_name, owner_phone_number, clinic_phone_number)
       overriding system value
       select staff_clinic_id, id, $3, $4, '+49 30 1234567', '+49 30 7654321' from u returning id, owner_user_id
     ), s as (
       insert into clinic_staff (clinic_id, user_id, role)
       select id, owner_user_id, 'clinic_owner' from c
     ), n as (
       insert into clinic_counters (clinic_id) select id from c
     )
     select id as clinic_id, owner_user_id from c`,
    [`owner-${tag}@example.com`, `Owner ${tag}`, countryCode, `Clinic ${tag}`],
  );
  const row = rows[0];
  if (!row) throw new Error('clinic fixture not inserted');
  return { clinicId: row.clinic_id, ownerUserId: row.owner_user_id };
}

/** Inserts a staff account (not yet linked to any clinic). */
export async function insertUser(
  pool: pg.Pool,
  role: 'doctor' | 'receptionist' | 'platform_admin' = 'doctor',
): Promise<number> {
  const tag = randomBytes(4).toString('hex');
  const { rows } = await pool.query<{ id: number }>(
    `insert into users (email, full_name, role) values ($1, $2, $3) returning id`,
    [`${role}-${tag}@example.com`, `User ${tag}`, role],
  );
  return rows[0]?.id ?? 0;
}

/** Everything a clinic-scope test file needs: the library, a raw pool, its statements. */
export async function setUpClinicTests(): Promise<{
  vz: Vetalyze;
  pool: pg.Pool;
  queries: string[];
  database: TestDatabase;
}> {
  const { vz, database, queries } = await createTestVetalyze();
  return { vz, pool: createSqlPool(database), queries, database };
}
