import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  IllegalTransitionError,
  type Vetalyze,
  type VetalyzeOptions,
} from '../../src/index.js';
import { countStatements, createTestVetalyze } from '../helpers/database.js';
import { connectAdmin, createClinic, endOpenPeriod, unique } from './fixtures.js';

/**
 * Opens 10 connections of the primary pool at once (each held 50 ms), so the
 * 10 calls of a race start on ready connections at the same moment: on a cold
 * pool the first call would finish while the others still connect.
 */
async function warmPool(target: Vetalyze): Promise<void> {
  await Promise.all(
    Array.from({ length: 10 }, () =>
      target.withConnection((connection) => connection.query({ text: 'select pg_sleep(0.05)' })),
    ),
  );
}

// Keyed writes of the operator scope: clinics.create (platform-wide keys) and
// the subscription transitions activate and renew (keys scoped to the clinic).
const { vz, database, queries } = await createTestVetalyze({ cacheInvalidation: false });
const admin = await connectAdmin(database.url);
const operator = await vz.users.create({
  email: 'operator@example.com',
  fullName: 'Platform Operator',
  role: 'platform_admin',
});

/** A second instance on its own database whose keys expire after 1 ms. */
async function shortLived(): Promise<{ vz: Vetalyze; admin: pg.Client; operatorId: number }> {
  const options: Partial<VetalyzeOptions> = { cacheInvalidation: false, idempotencyTtlMs: 1 };
  const created = await createTestVetalyze(options);
  const client = await connectAdmin(created.database.url);
  const op = await created.vz.users.create({
    email: 'operator@example.com',
    fullName: 'Platform Operator',
    role: 'platform_admin',
  });
  return { vz: created.vz, admin: client, operatorId: op.id };
}

const expire = () => new Promise((resolve) => setTimeout(resolve, 20));

async function count(client: pg.Client, query: string, values: unknown[]): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    `select count(*)::int as n from ${query}`,
    values,
  );
  return rows[0]?.n ?? -1;
}

const keysOf = (client: pg.Client, scope: number) =>
  count(client, 'idempotency_keys where clinic_id = $1', [scope]);
const recordsOf = (client: pg.Client, clinicId: number) =>
  count(client, 'subscription_history where clinic_id = $1', [clinicId]);

function clinicInput(tag = unique()) {
  return {
    clinicName: `Clinic ${tag}`,
    countryCode: 'DE',
    ownerPhoneNumber: '+49 30 1234567',
    clinicPhoneNumber: '030 7654321',
    owner: { email: `owner-${tag}@example.com`, fullName: `Owner ${tag}` },
  };
}

async function conflictField(call: () => Promise<unknown>): Promise<string | undefined> {
  const error = await call().catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ConflictError);
  return (error as ConflictError).field;
}

describe('clinics.create with an idempotency key', () => {
  it('returns the first clinic for the same key, created once, in one statement', async () => {
    const input = clinicInput();
    const key = randomUUID();
    const first = await vz.clinics.create({ ...input, idempotencyKey: key });
    const { result: second, statements } = await countStatements(queries, () =>
      vz.clinics.create(input, { idempotencyKey: key }),
    );
    expect(statements).toBe(1);
    expect(second).toEqual(first);
    expect(first.createdAt).toBeInstanceOf(Date);
    expect(second).toEqual(await vz.clinics.get(first.id));
    expect(await count(admin, 'clinics where clinic_name = $1', [input.clinicName])).toBe(1);
    expect(await count(admin, 'idempotency_keys where key = $1', [key])).toBe(1);
  });

  it('gives every one of 10 concurrent calls with one key the same clinic, created once', async () => {
    const input = { ...clinicInput(), idempotencyKey: randomUUID() };
    await warmPool(vz);
    const results = await Promise.all(Array.from({ length: 10 }, () => vz.clinics.create(input)));
    for (const result of results) expect(result).toEqual(results[0]);
    expect(await count(admin, 'clinics where clinic_name = $1', [input.clinicName])).toBe(1);
    expect(await count(admin, 'users where email = $1', [input.owner.email])).toBe(1);
  });

  it('refuses the same key with a different payload', async () => {
    const key = randomUUID();
    const input = clinicInput();
    await vz.clinics.create({ ...input, idempotencyKey: key });
    const other = { ...input, clinicName: `${input.clinicName} 2`, idempotencyKey: key };
    expect(await conflictField(() => vz.clinics.create(other))).toBe('idempotencyKey');
    expect(await count(admin, 'clinics where clinic_name = $1', [other.clinicName])).toBe(0);
  });

  it('keeps clinic-creation keys platform-wide, apart from every clinic’s keys', async () => {
    const key = randomUUID();
    const clinic = await vz.clinics.create({ ...clinicInput(), idempotencyKey: key });
    // The same key in the new clinic's scope is another key.
    const owner = await vz
      .forClinic(clinic.id)
      .owners.create({ fullName: 'A', idempotencyKey: key });
    expect(owner.code).toBe('O-000001');
    expect(await keysOf(admin, 0)).toBeGreaterThan(0);
    expect(await keysOf(admin, clinic.id)).toBe(1);
  });

  it('creates anew once the key expired', async () => {
    const short = await shortLived();
    const key = randomUUID();
    const first = await short.vz.clinics.create({ ...clinicInput(), idempotencyKey: key });
    await expire();
    const second = await short.vz.clinics.create({ ...clinicInput(), idempotencyKey: key });
    expect(second.id).not.toBe(first.id);
    expect(await count(short.admin, 'clinics', [])).toBe(2);
    expect(await keysOf(short.admin, 0)).toBe(1);
  });

  it('leaves no key behind when the creation fails', async () => {
    const taken = clinicInput();
    await vz.clinics.create(taken);
    const key = randomUUID();
    const input = { ...clinicInput(), owner: taken.owner, idempotencyKey: key };
    expect(await conflictField(() => vz.clinics.create(input))).toBe('email');
    expect(await count(admin, 'idempotency_keys where key = $1', [key])).toBe(0);
  });
});

async function activeClinic(target: Vetalyze, operatorId: number): Promise<number> {
  const { id } = await createClinic(target);
  await target.subscriptions.activate({
    clinicId: id,
    subscriptionTypeId: 1,
    paymentMethodId: 1,
    activatedBy: operatorId,
  });
  return id;
}

const activation = (clinicId: number, activatedBy = operator.id) => ({
  clinicId,
  subscriptionTypeId: 1,
  paymentMethodId: 1,
  activatedBy,
  amount: '49.00',
});

const renewal = (clinicId: number, activatedBy = operator.id) => ({
  clinicId,
  paymentMethodId: 2,
  activatedBy,
  amount: '19.50',
});

describe('subscriptions.activate with an idempotency key', () => {
  it('returns the first record for the same key, with one effect and one statement', async () => {
    const { id } = await createClinic(vz);
    const key = randomUUID();
    const first = await vz.subscriptions.activate({ ...activation(id), idempotencyKey: key });
    expect(first.amount).toBe('49.00');
    const { result: second, statements } = await countStatements(queries, () =>
      vz.subscriptions.activate(activation(id), { idempotencyKey: key }),
    );
    expect(statements).toBe(1);
    expect(second).toEqual(first);
    expect(first.activatedAt).toBeInstanceOf(Date);
    expect((await vz.subscriptions.history(id))[0]).toEqual(first);
    expect(await recordsOf(admin, id)).toBe(1);
    expect(await keysOf(admin, id)).toBe(1);
  });

  it('gives every one of 10 concurrent calls with one key the same record, made once', async () => {
    const { id } = await createClinic(vz);
    const input = { ...activation(id), idempotencyKey: randomUUID() };
    await warmPool(vz);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => vz.subscriptions.activate(input)),
    );
    for (const result of results) expect(result).toEqual(results[0]);
    expect(await recordsOf(admin, id)).toBe(1);
  });

  it('refuses the same key with a different payload or for renew', async () => {
    const { id } = await createClinic(vz);
    const key = randomUUID();
    await vz.subscriptions.activate({ ...activation(id), idempotencyKey: key });
    const other = { ...activation(id), amount: '50.00', idempotencyKey: key };
    expect(await conflictField(() => vz.subscriptions.activate(other))).toBe('idempotencyKey');
    const renewing = { ...renewal(id), idempotencyKey: key };
    expect(await conflictField(() => vz.subscriptions.renew(renewing))).toBe('idempotencyKey');
    expect(await recordsOf(admin, id)).toBe(1);
  });

  it('scopes keys per clinic', async () => {
    const a = (await createClinic(vz)).id;
    const b = (await createClinic(vz)).id;
    const key = randomUUID();
    const inA = await vz.subscriptions.activate({ ...activation(a), idempotencyKey: key });
    const inB = await vz.subscriptions.activate({ ...activation(b), idempotencyKey: key });
    expect(inB.clinicId).toBe(b);
    expect(inB.id).not.toBe(inA.id);
    expect(await recordsOf(admin, a)).toBe(1);
    expect(await recordsOf(admin, b)).toBe(1);
  });

  it('activates anew once the key expired', async () => {
    const short = await shortLived();
    const { id } = await createClinic(short.vz);
    const key = randomUUID();
    const input = { ...activation(id, short.operatorId), idempotencyKey: key };
    const first = await short.vz.subscriptions.activate(input);
    await endOpenPeriod(short.admin, id);
    await expire();
    const second = await short.vz.subscriptions.activate(input);
    expect(second.id).not.toBe(first.id);
    expect(await recordsOf(short.admin, id)).toBe(2);
    expect(await keysOf(short.admin, id)).toBe(1);
  });

  it('stores no key when the activation is refused', async () => {
    const id = await activeClinic(vz, operator.id);
    const key = randomUUID();
    await expect(
      vz.subscriptions.activate({ ...activation(id), idempotencyKey: key }),
    ).rejects.toBeInstanceOf(IllegalTransitionError);
    expect(await keysOf(admin, id)).toBe(0);
  });
});

describe('subscriptions.renew with an idempotency key', () => {
  it('returns the first record for the same key, renewing once', async () => {
    const id = await activeClinic(vz, operator.id);
    const key = randomUUID();
    const first = await vz.subscriptions.renew({ ...renewal(id), idempotencyKey: key });
    expect(first.amount).toBe('19.50');
    const second = await vz.subscriptions.renew({ ...renewal(id), idempotencyKey: key });
    expect(second).toEqual(first);
    expect(await recordsOf(admin, id)).toBe(2);
  });

  it('gives every one of 10 concurrent calls with one key the same record, renewing once', async () => {
    const id = await activeClinic(vz, operator.id);
    const input = { ...renewal(id), idempotencyKey: randomUUID() };
    await warmPool(vz);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => vz.subscriptions.renew(input)),
    );
    for (const result of results) expect(result).toEqual(results[0]);
    expect(await recordsOf(admin, id)).toBe(2);
  });

  it('refuses the same key with a different payload', async () => {
    const id = await activeClinic(vz, operator.id);
    const key = randomUUID();
    await vz.subscriptions.renew({ ...renewal(id), idempotencyKey: key });
    const other = { ...renewal(id), paymentMethodId: 1, idempotencyKey: key };
    expect(await conflictField(() => vz.subscriptions.renew(other))).toBe('idempotencyKey');
    expect(await recordsOf(admin, id)).toBe(2);
  });

  it('scopes keys per clinic', async () => {
    const a = await activeClinic(vz, operator.id);
    const b = await activeClinic(vz, operator.id);
    const key = randomUUID();
    await vz.subscriptions.renew({ ...renewal(a), idempotencyKey: key });
    const inB = await vz.subscriptions.renew({ ...renewal(b), idempotencyKey: key });
    expect(inB.clinicId).toBe(b);
    expect(await recordsOf(admin, a)).toBe(2);
    expect(await recordsOf(admin, b)).toBe(2);
  });

  it('renews anew once the key expired', async () => {
    const short = await shortLived();
    const id = await activeClinic(short.vz, short.operatorId);
    const input = { ...renewal(id, short.operatorId), idempotencyKey: randomUUID() };
    const first = await short.vz.subscriptions.renew(input);
    await expire();
    const second = await short.vz.subscriptions.renew(input);
    expect(second.id).not.toBe(first.id);
    expect(second.startsOn).toBe(first.endsOn);
    expect(await recordsOf(short.admin, id)).toBe(3);
    expect(await keysOf(short.admin, id)).toBe(1);
  });

  it('stores no key when the renewal is refused', async () => {
    const { id } = await createClinic(vz);
    const key = randomUUID();
    await expect(
      vz.subscriptions.renew({ ...renewal(id), idempotencyKey: key }),
    ).rejects.toBeInstanceOf(IllegalTransitionError);
    expect(await keysOf(admin, id)).toBe(0);
  });
});
