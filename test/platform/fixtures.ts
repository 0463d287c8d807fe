import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
import type { Vetalyze } from '../../src/index.js';
import type { CreateClinicInput } from '../../src/platform/clinics.js';

/** A direct connection to the test database, for arranging states the API cannot (time passing). */
export async function connectAdmin(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  afterAll(() => client.end());
  return client;
}

/** A unique suffix, so data made by one test never collides with another's. */
export function unique(): string {
  return randomBytes(4).toString('hex');
}

/** Creates a clinic through the public API (invitation path: no password). */
export function createClinic(vz: Vetalyze, overrides: Partial<CreateClinicInput> = {}) {
  const tag = unique();
  return vz.clinics.create({
    clinicName: `Clinic ${tag}`,
    countryCode: 'DE',
    ownerPhoneNumber: '+49 30 1234567',
    clinicPhoneNumber: '030 7654321',
    owner: { email: `owner-${tag}@example.com`, fullName: `Owner ${tag}` },
    ...overrides,
  });
}

/** The database's date `days` from today, as 'YYYY-MM-DD'. */
export async function databaseDate(admin: pg.Client, days = 0): Promise<string> {
  const { rows } = await admin.query<{ day: string }>(
    'select (current_date + $1::int)::text as day',
    [days],
  );
  return rows[0]?.day ?? '';
}

/** `date` plus `months` months, computed by the database (its end-of-month rules). */
export async function plusMonths(admin: pg.Client, date: string, months: number): Promise<string> {
  const { rows } = await admin.query<{ day: string }>(
    `select ($1::date + make_interval(months => $2))::date::text as day`,
    [date, months],
  );
  return rows[0]?.day ?? '';
}

/**
 * Moves a clinic's open record into the past, as if its period had run out
 * with no write through the library: it stays 'active' but ended yesterday.
 */
export async function endOpenPeriod(admin: pg.Client, clinicId: number): Promise<void> {
  await admin.query(
    `update subscription_history
     set starts_on = current_date - 31, ends_on = current_date - 1
     where clinic_id = $1 and status in ('active', 'suspended')`,
    [clinicId],
  );
}

/** Open (active or suspended) records of a clinic, counted in the database. */
export async function openRecordCount(admin: pg.Client, clinicId: number): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(
    `select count(*)::int as n from subscription_history
     where clinic_id = $1 and status in ('active', 'suspended')`,
    [clinicId],
  );
  return rows[0]?.n ?? -1;
}
