import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVetalyze, type QueryEvent, statementLabel, type Vetalyze } from '../../src/index.js';
import { createTestVetalyze } from '../helpers/database.js';
import { loadParser, singleShardProblems } from '../helpers/single-shard.js';
import { createClinic } from '../platform/fixtures.js';
import { createSqlPool } from './helpers.js';

/**
 * Citus mode (`createVetalyze({ citus: true })`) on plain PostgreSQL: CI has
 * no Citus, but the mode's writes are plain SQL (transactions of statements
 * that Citus routes as one task each; counted on Citus by `vetalyze
 * citus-check`, docs/scaling-out.md). The same script of clinic-scope writes
 * runs on two new clinics of one database, once through a normal instance
 * and once through a Citus-mode one; every result and every error must be
 * the same, ids and timestamps aside (codes are per clinic, so they match).
 */

const { vz: plain, database } = await createTestVetalyze({ cacheInvalidation: false });
const citusEvents: QueryEvent[] = [];
let citus: Vetalyze;
/** The clinic each instance's script wrote to. */
const clinicIds = new Map<Vetalyze, number>();

beforeAll(async () => {
  await loadParser();
  citus = await createVetalyze({
    connectionString: database.url,
    cacheInvalidation: false,
    citus: true,
    onQuery: (event) => citusEvents.push(event),
  });
});
afterAll(() => citus.close());

/** Keys whose values differ between two clinics by construction. */
const unstable = new Set([
  'id',
  'ownerId',
  'userId',
  'clinicId',
  'groupId',
  'activatedBy',
  'createdAt',
  'updatedAt',
  'deactivatedAt',
  'activatedAt',
]);

/** `value` without ids and timestamps, with the run's tag taken out of the text. */
function normalized(value: unknown, tag: string): unknown {
  if (Array.isArray(value)) return value.map((item) => normalized(item, tag));
  if (value instanceof Date) return 'date';
  if (typeof value === 'string') return value.replaceAll(tag, 'TAG');
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !unstable.has(key))
      .map(([key, item]) => [key, normalized(item, tag)]),
  );
}

/** A refusal as the script records it: its class, code and field. */
function refusal(error: unknown) {
  const { name, code, field } = error as { name: string; code: string; field?: string };
  return { refused: name, code, field };
}

/** The clinic-scope writes Citus mode changes, with their refusals, and what they left behind. */
async function script(vz: Vetalyze, tag: string): Promise<unknown[]> {
  const clinic = await createClinic(vz, {
    owner: { email: `owner-${tag}@example.com`, fullName: `Owner ${tag}` },
  });
  clinicIds.set(vz, clinic.id);
  const scope = vz.forClinic(clinic.id);
  const out: unknown[] = [];
  const record = async (step: string, call: () => Promise<unknown>) => {
    try {
      out.push({ step, result: await call() });
    } catch (error) {
      out.push({ step, error: refusal(error) });
    }
  };
  let firstId = 0;
  await record('create with pets', async () => {
    const owner = await scope.owners.create({
      fullName: 'Anna Citus',
      phoneNumber: '+49 151 1234567',
      email: 'anna@example.com',
      notes: 'two pets',
      pets: [
        { name: 'Rex', petTypeId: 1, microchip: '276000000000001', birthDate: '2020-02-29' },
        { name: 'Mia', petTypeId: 2, sex: 'female_spayed', breed: 'Siamese' },
      ],
    });
    firstId = owner.id;
    return owner;
  });
  let secondId = 0;
  await record('create without pets', async () => {
    const owner = await scope.owners.create({ fullName: 'Bert Citus' });
    secondId = owner.id;
    return owner;
  });
  await record('add pets', () =>
    scope.pets.add(secondId, [
      { name: 'Kiwi', petTypeId: 3 },
      { name: 'Nemo', petTypeId: 1, microchip: '276000000000002' },
    ]),
  );
  await record('add pets to a missing owner', () =>
    scope.pets.add(2_000_000_000, [{ name: 'Ghost', petTypeId: 1 }]),
  );
  await record('create with a microchip of the clinic', () =>
    scope.owners.create({
      fullName: 'Clash',
      pets: [{ name: 'Twin', petTypeId: 1, microchip: '276000000000001' }],
    }),
  );
  await record('add a pet with a microchip of the clinic', () =>
    scope.pets.add(firstId, [{ name: 'Twin', petTypeId: 1, microchip: '276000000000002' }]),
  );
  await record('staff with a new account', () =>
    scope.staff.add({
      role: 'doctor',
      email: `dr-${tag}@example.com`,
      fullName: 'Dr Citus',
      password: 'correct horse battery',
    }),
  );
  await record('staff with a taken email', () =>
    scope.staff.add({ role: 'doctor', email: `dr-${tag}@example.com`, fullName: 'Dr Again' }),
  );
  const free = await vz.users.create({
    email: `free-${tag}@example.com`,
    fullName: 'Free Account',
    role: 'receptionist',
  });
  await record('link a free account', () =>
    scope.staff.add({ role: 'receptionist', userId: free.id }),
  );
  await record('link it again', () => scope.staff.add({ role: 'doctor', userId: free.id }));
  await record("link the clinic's owner", () =>
    scope.staff.add({ role: 'doctor', userId: clinic.ownerUserId }),
  );
  await record('deactivate the linked account', () => scope.staff.deactivate(free.id));
  await record('link it back', () => scope.staff.add({ role: 'doctor', userId: free.id }));
  const other = await createClinic(vz, {
    owner: { email: `other-${tag}@example.com`, fullName: `Other ${tag}` },
  });
  await record("link another clinic's owner", () =>
    scope.staff.add({ role: 'doctor', userId: other.ownerUserId }),
  );
  await record('import', () =>
    scope.owners.import([
      { fullName: 'Imported One', pets: [{ name: 'Imp', petTypeId: 1 }] },
      {
        fullName: 'Imported Two',
        phoneNumber: '030 1112223',
        pets: [
          { name: 'Imp 2', petTypeId: 2, microchip: '276000000000003' },
          { name: 'Imp 3', petTypeId: 1 },
        ],
      },
    ]),
  );
  await record('import with a microchip of the clinic', () =>
    scope.owners.import([
      {
        fullName: 'Imported Three',
        pets: [{ name: 'Clash', petTypeId: 1, microchip: '276000000000003' }],
      },
    ]),
  );
  const keyedOwner = { fullName: 'Keyed Owner', pets: [{ name: 'Keyed', petTypeId: 1 }] };
  for (const attempt of ['first', 'retry'])
    await record(`keyed create, ${attempt}`, () =>
      scope.owners.create(keyedOwner, { idempotencyKey: 'create-key' }),
    );
  await record('keyed create, another request', () =>
    scope.owners.create({ fullName: 'Other' }, { idempotencyKey: 'create-key' }),
  );
  const refOwner = { fullName: 'Ref Owner', pets: [{ name: 'Ref', petTypeId: 2 }] };
  await record('create returning a ref', () => scope.owners.create(refOwner, { returning: 'ref' }));
  for (const attempt of ['first', 'retry'])
    await record(`keyed create returning a ref, ${attempt}`, () =>
      scope.owners.create(refOwner, { idempotencyKey: 'ref-key', returning: 'ref' }),
    );
  await record('keyed create, the other shape', () =>
    scope.owners.create(refOwner, { idempotencyKey: 'ref-key' }),
  );
  for (const attempt of ['first', 'retry'])
    await record(`keyed import, ${attempt}`, () =>
      scope.owners.import([{ fullName: 'Keyed Import', pets: [{ name: 'K', petTypeId: 2 }] }], {
        idempotencyKey: 'import-key',
      }),
    );
  await record('keyed import, another request', () =>
    scope.owners.import([{ fullName: 'Other Import' }], { idempotencyKey: 'import-key' }),
  );
  await record('keyed import of nothing', () =>
    scope.owners.import([], { idempotencyKey: 'empty-import-key' }),
  );
  const owners: unknown[] = [];
  for await (const owner of scope.owners.export()) owners.push(owner);
  out.push({ step: 'every owner afterwards', result: owners });
  out.push({ step: 'staff afterwards', result: await scope.staff.list() });
  // A new code after everything: the counters moved alike.
  await record('create after all', () =>
    scope.owners.create({ fullName: 'Last', pets: [{ name: 'L', petTypeId: 1 }] }),
  );
  return out.map((entry) => normalized(entry, tag));
}

describe('Citus mode on PostgreSQL', () => {
  it('returns what the normal mode returns, refusals included, and leaves the same rows', async () => {
    const expected = await script(plain, 'plain');
    const before = citusEvents.length;
    const actual = await script(citus, 'citus');
    expect(actual).toEqual(expected);
    // The script did go through Citus mode's own statements.
    const labels = new Set(citusEvents.slice(before).map((event) => statementLabel(event.sql)));
    for (const label of [
      'clinic.owners.create:citus-counter',
      'clinic.owners.create:citus-pets',
      'clinic.pets.add:citus-counter',
      'clinic.staff.add:citus-account',
      'clinic.staff.add:citus-claim',
      'clinic.staff.add:citus-link',
      'clinic.owners.import:citus-pets',
      'shared.idempotency.save',
    ])
      expect(labels).toContain(label);
  });

  it('keeps every tenant table of its statements on the clinic shard', () => {
    const tenantTables = new Set([
      'clinic_counters',
      'clinic_staff',
      'owners',
      'pets',
      'subscription_history',
      'idempotency_keys',
      'clinics',
    ]);
    const clinicId = clinicIds.get(citus) ?? 0;
    const problems = citusEvents
      .filter((event) => statementLabel(event.sql)?.includes(':citus'))
      .flatMap((event) => singleShardProblems(event.sql, event.values, clinicId, tenantTables));
    expect(citusEvents.some((event) => statementLabel(event.sql)?.includes(':citus'))).toBe(true);
    expect(problems).toEqual([]);
  });

  it('gives 10 concurrent keyed creates, and imports, with one key one effect and the same result', async () => {
    const clinic = await createClinic(citus);
    const scope = citus.forClinic(clinic.id);
    // Ten ready connections, so the calls start together.
    await Promise.all(
      Array.from({ length: 10 }, () =>
        citus.withConnection((connection) => connection.query({ text: 'select pg_sleep(0.05)' })),
      ),
    );
    const owner = { fullName: 'Race', pets: [{ name: 'Dash', petTypeId: 1 }] };
    const created = await Promise.all(
      Array.from({ length: 10 }, () => scope.owners.create(owner, { idempotencyKey: 'race' })),
    );
    for (const result of created) expect(result).toEqual(created[0]);
    const imported = await Promise.all(
      Array.from({ length: 10 }, () =>
        scope.owners.import([owner, owner], { idempotencyKey: 'race-import' }),
      ),
    );
    for (const result of imported) expect(result).toEqual(imported[0]);
    const pool = createSqlPool(database);
    try {
      const { rows } = await pool.query(
        `select (select count(*)::int from owners where clinic_id = $1) as owners,
                (select count(*)::int from pets where clinic_id = $1) as pets,
                (select count(*)::int from idempotency_keys where clinic_id = $1) as keys`,
        [clinic.id],
      );
      expect(rows[0]).toEqual({ owners: 3, pets: 3, keys: 2 });
    } finally {
      await pool.end();
    }
  });

  it('activates a subscription with a key as the normal mode does, retries and refusals included', async () => {
    const transcript = async (vz: Vetalyze, tag: string) => {
      const operator = await vz.users.create({
        email: `ops-${tag}@example.com`,
        fullName: 'Operator',
        role: 'platform_admin',
      });
      const clinic = await createClinic(vz);
      const input = {
        clinicId: clinic.id,
        subscriptionTypeId: 1,
        paymentMethodId: 1,
        activatedBy: operator.id,
      };
      const out: unknown[] = [];
      for (const key of ['activate', 'activate', 'another'])
        out.push(
          await vz.subscriptions
            .activate(input, { idempotencyKey: key })
            .catch((error: unknown) => refusal(error)),
        );
      out.push(await vz.subscriptions.history(clinic.id));
      return normalized(out, tag);
    };
    expect(await transcript(citus, 'citus')).toEqual(await transcript(plain, 'plain'));
  });
});
