import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, createVetalyze, ValidationError, type Vetalyze } from '../../src/index.js';
import { countStatements, createTestVetalyze, type TestDatabase } from '../helpers/database.js';
import { createSqlPool, insertClinic, setUpClinicTests } from './helpers.js';

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

let vz: Vetalyze;
/** On the same database, without row checks (production's default). */
let unchecked: Vetalyze;
let pool: pg.Pool;
let queries: string[];

beforeAll(async () => {
  let database: TestDatabase;
  ({ vz, pool, queries, database } = await setUpClinicTests());
  unchecked = await createVetalyze({ connectionString: database.url, validateRows: false });
  return () => unchecked.close();
});

/** Owners, pets and key rows of a clinic, counted by SQL. */
async function counts(clinicId: number) {
  const { rows } = await pool.query(
    `select (select count(*)::int from owners where clinic_id = $1) as owners,
            (select count(*)::int from pets where clinic_id = $1) as pets,
            (select count(*)::int from idempotency_keys where clinic_id = $1) as keys`,
    [clinicId],
  );
  return rows[0] as { owners: number; pets: number; keys: number };
}

const anna = {
  fullName: 'Anna Müller',
  phoneNumber: '+49 170 123-4567',
  pets: [{ name: 'Bello', petTypeId: 1, birthDate: '2019-04-01' }],
};

describe('owners.create with an idempotency key', () => {
  it('returns the first result for the same key, with one effect and one statement each', async () => {
    const { clinicId } = await insertClinic(pool);
    const owners = vz.forClinic(clinicId).owners;
    const key = randomUUID();
    const first = await owners.create({ ...anna, idempotencyKey: key });
    const { result: second, statements } = await countStatements(queries, () =>
      owners.create(anna, { idempotencyKey: key }),
    );
    expect(statements).toBe(1);
    expect(second).toEqual(first);
    expect(first.createdAt).toBeInstanceOf(Date);
    expect(first).toEqual(await owners.get(first.id));
    expect(await counts(clinicId)).toEqual({ owners: 1, pets: 1, keys: 1 });
  });

  it('returns the same owner, dates as Dates, when rows are not checked', async () => {
    const { clinicId } = await insertClinic(pool);
    const owners = unchecked.forClinic(clinicId).owners;
    const key = randomUUID();
    const first = await owners.create(anna, { idempotencyKey: key });
    expect(first.createdAt).toBeInstanceOf(Date);
    expect(first.updatedAt).toBeInstanceOf(Date);
    expect(first).toEqual(await owners.get(first.id));
    expect(await owners.create(anna, { idempotencyKey: key })).toEqual(first);
  });

  it('checks a stored result on replay even when rows are not checked: DatabaseError', async () => {
    const { clinicId } = await insertClinic(pool);
    const owners = unchecked.forClinic(clinicId).owners;
    const key = randomUUID();
    await owners.create(anna, { idempotencyKey: key });
    // As another version of the library might have stored it.
    await pool.query(
      `update idempotency_keys set result = result - 'version' where clinic_id = $1 and key = $2`,
      [clinicId, key],
    );
    await expect(owners.create(anna, { idempotencyKey: key })).rejects.toThrow(
      /stored idempotent result does not match its schema/,
    );
  });

  it('gives every one of 10 concurrent calls with one key the same owner, created once', async () => {
    const { clinicId } = await insertClinic(pool);
    const owners = vz.forClinic(clinicId).owners;
    const key = randomUUID();
    await warmPool(vz);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => owners.create({ ...anna, idempotencyKey: key })),
    );
    for (const result of results) expect(result).toEqual(results[0]);
    expect(await counts(clinicId)).toEqual({ owners: 1, pets: 1, keys: 1 });
  });

  it('lets one of two concurrent calls with one key and different payloads win, refusing the other', async () => {
    const { clinicId } = await insertClinic(pool);
    const owners = vz.forClinic(clinicId).owners;
    const key = randomUUID();
    await warmPool(vz);
    const settled = await Promise.allSettled(
      ['One', 'Two', 'One', 'Two'].map((fullName) =>
        owners.create({ ...anna, fullName, idempotencyKey: key }),
      ),
    );
    const won = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const lost = settled.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    expect(won).toHaveLength(2);
    expect(won[1]).toEqual(won[0]);
    expect(lost).toHaveLength(2);
    for (const error of lost) expect((error as ConflictError).field).toBe('idempotencyKey');
    expect(await counts(clinicId)).toEqual({ owners: 1, pets: 1, keys: 1 });
  });

  it('refuses the same key with a different payload: ConflictError naming idempotencyKey', async () => {
    const { clinicId } = await insertClinic(pool);
    const owners = vz.forClinic(clinicId).owners;
    const key = randomUUID();
    await owners.create({ ...anna, idempotencyKey: key });
    const error = await owners
      .create({ ...anna, fullName: 'Anna Schmidt', idempotencyKey: key })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).field).toBe('idempotencyKey');
    expect(await counts(clinicId)).toEqual({ owners: 1, pets: 1, keys: 1 });
  });

  it('scopes keys per clinic: the same key in another clinic is independent', async () => {
    const a = (await insertClinic(pool)).clinicId;
    const b = (await insertClinic(pool)).clinicId;
    const key = randomUUID();
    const inA = await vz.forClinic(a).owners.create({ ...anna, idempotencyKey: key });
    const inB = await vz
      .forClinic(b)
      .owners.create({ ...anna, fullName: 'Other', idempotencyKey: key });
    expect(inB.id).not.toBe(inA.id);
    expect(inB.fullName).toBe('Other');
    expect(await counts(a)).toEqual({ owners: 1, pets: 1, keys: 1 });
    expect(await counts(b)).toEqual({ owners: 1, pets: 1, keys: 1 });
  });

  it('writes anew once the key expired, and deletes expired keys', async () => {
    const { vz: shortLived, database } = await createTestVetalyze({ idempotencyTtlMs: 1 });
    const sqlPool = createSqlPool(database);
    const { clinicId } = await insertClinic(sqlPool);
    const owners = shortLived.forClinic(clinicId).owners;
    const key = randomUUID();
    const first = await owners.create({ ...anna, idempotencyKey: key });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await owners.create({ ...anna, idempotencyKey: key });
    expect(second.id).not.toBe(first.id);
    const { rows } = await sqlPool.query(
      'select count(*)::int as n from owners where clinic_id = $1',
      [clinicId],
    );
    expect(rows[0].n).toBe(2);
  });

  it('deletes up to 4 other expired keys of the clinic with each keyed write', async () => {
    const { clinicId } = await insertClinic(pool);
    const other = (await insertClinic(pool)).clinicId;
    // Expired keys as a past write would have left them.
    await pool.query(
      `insert into idempotency_keys (clinic_id, key, operation, request_hash, result, expires_at)
       select c, 'old-' || n, 'owners.create', '\\x00', '{}', now() - interval '1 second'
       from unnest($1::int[]) c, generate_series(1, 6) n`,
      [[clinicId, other]],
    );
    await vz.forClinic(clinicId).owners.create({ ...anna, idempotencyKey: randomUUID() });
    expect((await counts(clinicId)).keys).toBe(6 - 4 + 1);
    await vz.forClinic(clinicId).owners.create({ ...anna, idempotencyKey: randomUUID() });
    expect((await counts(clinicId)).keys).toBe(2);
    // Another clinic's expired keys are for its own writes to delete.
    expect((await counts(other)).keys).toBe(6);
  });

  it('takes the key in the input or the options, refusing two different ones', async () => {
    const { clinicId } = await insertClinic(pool);
    const owners = vz.forClinic(clinicId).owners;
    const key = randomUUID();
    const first = await owners.create(anna, { idempotencyKey: key });
    expect(await owners.create({ ...anna, idempotencyKey: key }, { idempotencyKey: key })).toEqual(
      first,
    );
    const error = await owners
      .create({ ...anna, idempotencyKey: key }, { idempotencyKey: randomUUID() })
      .catch((caught: unknown) => caught);
    expect((error as ValidationError).field).toBe('idempotencyKey');
    expect(await counts(clinicId)).toEqual({ owners: 1, pets: 1, keys: 1 });
  });

  it('sends the same statement as before without a key', async () => {
    const { clinicId } = await insertClinic(pool);
    const owners = vz.forClinic(clinicId).owners;
    await owners.list();
    const { statements } = await countStatements(queries, () => owners.create(anna));
    expect(statements).toBe(1);
    expect(queries.at(-1)).not.toContain('idempotency');
    expect(await counts(clinicId)).toEqual({ owners: 1, pets: 1, keys: 0 });
  });

  it('leaves no key behind when the write fails', async () => {
    const { clinicId } = await insertClinic(pool);
    const owners = vz.forClinic(clinicId).owners;
    const chip = { name: 'Chip', petTypeId: 1, microchip: '276098100999999' };
    await owners.create({ fullName: 'First', pets: [chip] });
    const key = randomUUID();
    await expect(
      owners.create({ fullName: 'Second', pets: [chip], idempotencyKey: key }),
    ).rejects.toMatchObject({ field: 'microchip' });
    expect(await counts(clinicId)).toEqual({ owners: 1, pets: 1, keys: 0 });
    // The key is free: a corrected request under it writes.
    const fixed = await owners.create({ fullName: 'Second', idempotencyKey: key });
    expect(fixed.fullName).toBe('Second');
  });

  it.each([
    ['rows checked', () => vz],
    ['rows not checked', () => unchecked],
  ])("keys a create with returning: 'ref' the same way (%s)", async (_label, target) => {
    const { clinicId } = await insertClinic(pool);
    const owners = target().forClinic(clinicId).owners;
    const key = randomUUID();
    const first = await owners.create(anna, { idempotencyKey: key, returning: 'ref' });
    const { result: second, statements } = await countStatements(queries, () =>
      owners.create(anna, { idempotencyKey: key, returning: 'ref' }),
    );
    expect(second).toEqual(first);
    expect(first).toEqual({ id: first.id, code: (await owners.get(first.id)).code });
    // The key stored only the reference.
    const { rows } = await pool.query(
      'select result from idempotency_keys where clinic_id = $1 and key = $2',
      [clinicId, key],
    );
    expect(rows[0]?.result).toEqual(first);
    // The other shape under the same key is another request.
    await expect(owners.create(anna, { idempotencyKey: key })).rejects.toBeInstanceOf(
      ConflictError,
    );
    // A failed keyed write leaves no owner, pet or key behind.
    const chip = { name: 'Chip', petTypeId: 1, microchip: '276098100888888' };
    await owners.create({ fullName: 'Chip Owner', pets: [chip] }, { returning: 'ref' });
    await expect(
      owners.create(
        { fullName: 'Clash', pets: [{ name: 'Ok', petTypeId: 1 }, chip] },
        { idempotencyKey: randomUUID(), returning: 'ref' },
      ),
    ).rejects.toMatchObject({ field: 'microchip' });
    expect(await counts(clinicId)).toEqual({ owners: 2, pets: 2, keys: 1 });
    if (target() === vz) expect(statements).toBe(1);
  });

  it('checks the key with the text rule, naming idempotencyKey, before any statement', async () => {
    const { clinicId } = await insertClinic(pool);
    const owners = vz.forClinic(clinicId).owners;
    for (const bad of ['', 'x'.repeat(201), 'a\u0000b', '\uD800', 42]) {
      const { result, statements } = await countStatements(queries, () =>
        owners.create({ ...anna, idempotencyKey: bad as string }).catch((error: unknown) => error),
      );
      expect(result).toBeInstanceOf(ValidationError);
      expect((result as ValidationError).field).toBe('idempotencyKey');
      expect(statements).toBe(0);
    }
  });
});

const rowsOf = (count: number, tag: string) =>
  Array.from({ length: count }, (_, i) => ({
    fullName: `${tag} ${i}`,
    pets: [{ name: `Pet ${i}`, petTypeId: 1 }],
  }));

describe('owners.import with an idempotency key', () => {
  it('returns the first result for the same key, with one effect', async () => {
    const { clinicId } = await insertClinic(pool);
    const owners = vz.forClinic(clinicId).owners;
    const key = randomUUID();
    const first = await owners.import(rowsOf(30, 'Row'), { idempotencyKey: key });
    expect(first).toEqual({
      owners: 30,
      pets: 30,
      firstOwnerCode: 'O-000001',
      lastOwnerCode: 'O-000030',
    });
    const second = await owners.import(rowsOf(30, 'Row'), { idempotencyKey: key });
    expect(second).toEqual(first);
    expect(await counts(clinicId)).toEqual({ owners: 30, pets: 30, keys: 1 });
  });

  it('gives every one of 10 concurrent imports with one key the same result, written once', async () => {
    const { clinicId } = await insertClinic(pool);
    const owners = vz.forClinic(clinicId).owners;
    const key = randomUUID();
    await warmPool(vz);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => owners.import(rowsOf(50, 'Race'), { idempotencyKey: key })),
    );
    for (const result of results) expect(result).toEqual(results[0]);
    expect(results[0]?.lastOwnerCode).toBe('O-000050');
    expect(await counts(clinicId)).toEqual({ owners: 50, pets: 50, keys: 1 });
  });

  it('refuses the same key with other rows, or for another operation', async () => {
    const { clinicId } = await insertClinic(pool);
    const owners = vz.forClinic(clinicId).owners;
    const key = randomUUID();
    await owners.import(rowsOf(3, 'Row'), { idempotencyKey: key });
    for (const retry of [
      () => owners.import(rowsOf(4, 'Row'), { idempotencyKey: key }),
      () => owners.import(rowsOf(3, 'Other'), { idempotencyKey: key }),
      () => owners.create({ fullName: 'Row 0', idempotencyKey: key }),
    ]) {
      const error = await retry().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).field).toBe('idempotencyKey');
    }
    expect(await counts(clinicId)).toEqual({ owners: 3, pets: 3, keys: 1 });
  });

  it('scopes keys per clinic', async () => {
    const a = (await insertClinic(pool)).clinicId;
    const b = (await insertClinic(pool)).clinicId;
    const key = randomUUID();
    await vz.forClinic(a).owners.import(rowsOf(2, 'A'), { idempotencyKey: key });
    const inB = await vz.forClinic(b).owners.import(rowsOf(5, 'B'), { idempotencyKey: key });
    expect(inB.owners).toBe(5);
    expect(await counts(a)).toEqual({ owners: 2, pets: 2, keys: 1 });
    expect(await counts(b)).toEqual({ owners: 5, pets: 5, keys: 1 });
  });

  it('imports anew once the key expired', async () => {
    const { vz: shortLived, database } = await createTestVetalyze({ idempotencyTtlMs: 1 });
    const sqlPool = createSqlPool(database);
    const { clinicId } = await insertClinic(sqlPool);
    const owners = shortLived.forClinic(clinicId).owners;
    const key = randomUUID();
    await owners.import(rowsOf(2, 'Row'), { idempotencyKey: key });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await owners.import(rowsOf(2, 'Row'), { idempotencyKey: key });
    expect(second.firstOwnerCode).toBe('O-000003');
    const { rows } = await sqlPool.query(
      `select (select count(*)::int from owners where clinic_id = $1) as owners,
              (select count(*)::int from idempotency_keys where clinic_id = $1) as keys`,
      [clinicId],
    );
    expect(rows[0]).toEqual({ owners: 4, keys: 1 });
  });

  it('leaves no key behind when the import is rolled back', async () => {
    const { clinicId } = await insertClinic(pool);
    const owners = vz.forClinic(clinicId).owners;
    await owners.create({
      fullName: 'Holder',
      pets: [{ name: 'Chip', petTypeId: 1, microchip: '276098100777777' }],
    });
    const key = randomUUID();
    const rows = [
      ...rowsOf(3, 'Row'),
      { fullName: 'Dup', pets: [{ name: 'D', petTypeId: 1, microchip: '276098100777777' }] },
    ];
    await expect(owners.import(rows, { idempotencyKey: key })).rejects.toMatchObject({
      field: '3.pets.0.microchip',
    });
    expect(await counts(clinicId)).toEqual({ owners: 1, pets: 1, keys: 0 });
  });

  it('checks the key before any statement', async () => {
    const { clinicId } = await insertClinic(pool);
    const owners = vz.forClinic(clinicId).owners;
    const { result, statements } = await countStatements(queries, () =>
      owners.import(rowsOf(1, 'Row'), { idempotencyKey: '' }).catch((error: unknown) => error),
    );
    expect((result as ValidationError).field).toBe('idempotencyKey');
    expect(statements).toBe(0);
  });
});
