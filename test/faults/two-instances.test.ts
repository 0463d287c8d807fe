import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createVetalyze, type Vetalyze } from '../../src/index.js';
import { countStatements, createTestVetalyze } from '../helpers/database.js';
import { connectAdmin, createClinic } from '../platform/fixtures.js';
import { msUntil, recordProcessErrors } from './process-errors.js';

// Two app instances on one database, as a deployment with two processes has.
const processErrors = recordProcessErrors();
const { vz: a, database } = await createTestVetalyze();
const bQueries: string[] = [];
const b: Vetalyze = await createVetalyze({
  connectionString: database.url,
  onQuery: (event) => bQueries.push(event.sql),
});
afterAll(() => b.close());
const admin = await connectAdmin(database.url);
const operator = await a.users.create({
  email: 'operator@example.com',
  fullName: 'Operator',
  role: 'platform_admin',
});

/** A clinic (DE) with an active subscription, made through instance A. */
async function activeClinic(): Promise<number> {
  const { id } = await createClinic(a);
  await a.subscriptions.activate({
    clinicId: id,
    subscriptionTypeId: 1,
    paymentMethodId: 1,
    activatedBy: operator.id,
  });
  await bHasHeardEverything();
  return id;
}

/** The status B serves, and how many statements B sent for it (0: from its cache). */
const statusOnB = (clinicId: number) => countStatements(bQueries, () => b.clinics.status(clinicId));

const sentinel = (await createClinic(a)).id;

/**
 * Returns once B has heard every notice committed so far: a listener gets
 * notices in commit order, so when B drops the sentinel clinic's status
 * (notified last), the earlier ones were handled too.
 */
async function bHasHeardEverything(): Promise<void> {
  await b.clinics.status(sentinel);
  await admin.query(`select pg_notify('vz_clinic_status', $1)`, [String(sentinel)]);
  const heard = await msUntil(async () => (await statusOnB(sentinel)).statements === 1, 5_000);
  expect(heard).toBeLessThan(5_000);
}

/** The pid of B's listening backend (the only session of this database that ran LISTEN last). */
async function listenerPids(): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(
    `select pid from pg_stat_activity where datname = $1 and query like 'listen %'`,
    [database.name],
  );
  return rows.map((row) => row.pid);
}

describe('two instances on one database', () => {
  it('a country change through A is used by B for phone numbers within 1 s', async () => {
    const { id } = await createClinic(a);
    await a.forClinic(id).owners.create({ fullName: 'Local', phoneNumber: '+49 30 1234567' });
    const searchOnB = () => b.forClinic(id).owners.search({ phone: '+49 30 1234567' });
    // B caches the clinic's facts (calling code 49): the number is local there.
    expect((await searchOnB()).items).toHaveLength(1);
    const { version } = await a.clinics.get(id);
    await a.clinics.update(id, { version, countryCode: 'US' });
    // Now +49 is a foreign number, which never matches the stored national digits.
    const seenAfter = await msUntil(async () => (await searchOnB()).items.length === 0, 5_000);
    expect(seenAfter).toBeLessThan(1_000);
  });

  it('a suspension through A is seen by B within 1 s, where B had it cached', async () => {
    const id = await activeClinic();
    expect(await b.clinics.status(id)).toBe('active');
    expect(await statusOnB(id)).toEqual({ result: 'active', statements: 0 });
    await a.subscriptions.suspend(id, { suspendedBy: operator.id });
    const seenAfter = await msUntil(
      async () => (await b.clinics.status(id)) === 'suspended',
      5_000,
    );
    expect(seenAfter).toBeLessThan(1_000);
  });

  it('a rolled-back write notifies nobody, and B keeps serving from memory', async () => {
    const id = await activeClinic();
    expect(await b.clinics.status(id)).toBe('active');
    const listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (message) => heard.push(`${message.channel}:${message.payload}`));
    await listener.query('listen vz_clinic_status; listen vz_clinic_facts');
    await admin.query('begin');
    await admin.query(`update clinics set country_code = 'FR' where id = $1`, [id]);
    await admin.query(
      `update subscription_history set status = 'suspended', suspended_at = now(),
         suspended_by = $2 where clinic_id = $1 and status = 'active'`,
      [id, operator.id],
    );
    await admin.query('rollback');
    // A committed one is heard (the same channel, so the listener works).
    await admin.query(`update clinics set country_code = 'AT' where id = $1`, [id]);
    expect(await msUntil(async () => heard.length > 0, 5_000)).toBeLessThan(5_000);
    expect(heard).toEqual([`vz_clinic_facts:${id}`]);
    await listener.end();
    expect(await statusOnB(id)).toEqual({ result: 'active', statements: 0 });
  });

  it('when its listening backend is killed, B flushes, listens again, and hears the next change', async () => {
    const id = await activeClinic();
    expect(await b.clinics.status(id)).toBe('active');
    const before = await listenerPids();
    expect(before).toHaveLength(2); // A's and B's
    await admin.query('select pg_terminate_backend(pid) from unnest($1::int[]) pid', [before]);
    const relistened = await msUntil(async () => {
      const now = await listenerPids();
      return now.length === 2 && now.every((pid) => !before.includes(pid));
    }, 10_000);
    expect(relistened).toBeLessThan(10_000);
    // The server shows the LISTEN a moment before B's client has its reply and
    // flushes; once B has heard a notice sent after it, the flush is behind us.
    await bHasHeardEverything();
    // The cache was flushed: a change made while B was deaf is not served stale.
    expect((await statusOnB(id)).statements).toBe(1);
    expect(await statusOnB(id)).toEqual({ result: 'active', statements: 0 });
    await a.subscriptions.suspend(id, { suspendedBy: operator.id });
    const seenAfter = await msUntil(
      async () => (await b.clinics.status(id)) === 'suspended',
      5_000,
    );
    expect(seenAfter).toBeLessThan(1_000);
  });

  it('no uncaughtException or unhandledRejection fired', () => {
    expect(processErrors).toEqual([]);
  });
});
