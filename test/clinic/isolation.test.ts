import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Owner } from '../../src/clinic/rows.js';
import type { ClinicScope } from '../../src/clinic/scope.js';
import { NotFoundError, type Vetalyze } from '../../src/index.js';
import { countStatements } from '../helpers/database.js';
import { insertClinic, insertUser, setUpClinicTests, type TestClinic } from './helpers.js';

/**
 * Clinic B's scope, given clinic A's real ids, must return nothing of A and
 * change nothing of A, whatever method is called.
 */

let vz: Vetalyze;
let pool: pg.Pool;
let queries: string[];
let a: TestClinic;
let b: TestClinic;
let aOwner: Owner;
let aDoctorId: number;
let bOwner: Owner;

/** Every row of clinic A (and its staff's accounts), as text, for before/after comparison. */
async function snapshotOfA(): Promise<string> {
  const { rows } = await pool.query(
    `select json_build_object(
       'owners', (select json_agg(o order by o.id) from owners o where o.clinic_id = $1),
       'pets', (select json_agg(p order by p.id) from pets p where p.clinic_id = $1),
       'staff', (select json_agg(s order by s.user_id) from clinic_staff s where s.clinic_id = $1),
       'counter', (select row_to_json(c) from clinic_counters c where c.clinic_id = $1),
       'users', (select json_agg(u order by u.id) from users u
                 where u.id in (select user_id from clinic_staff where clinic_id = $1))
     )::text as snapshot`,
    [a.clinicId],
  );
  return rows[0].snapshot;
}

function idsOf(items: readonly { id: number }[]): number[] {
  return items.map((item) => item.id);
}

beforeAll(async () => {
  ({ vz, pool, queries } = await setUpClinicTests());
  a = await insertClinic(pool);
  b = await insertClinic(pool);
  const clinicA = vz.forClinic(a.clinicId);
  aOwner = await clinicA.owners.create({
    fullName: 'Alice Onlyina',
    phoneNumber: '+49 151 9998887',
    pets: [
      { name: 'Alphapet', petTypeId: 1, microchip: '111222333444555' },
      { name: 'Betapet', petTypeId: 2 },
    ],
  });
  await clinicA.owners.create({ fullName: 'Second A', pets: [{ name: 'Gammapet', petTypeId: 3 }] });
  aDoctorId = (
    await clinicA.staff.add({ role: 'doctor', email: 'dr.a@example.com', fullName: 'Dr A' })
  ).userId;
  bOwner = await vz.forClinic(b.clinicId).owners.create({
    fullName: 'Bob In B',
    pets: [{ name: 'Bpet', petTypeId: 1 }],
  });
});

describe('clinic B given clinic A ids', () => {
  const aPetId = () => aOwner.pets[0]?.id ?? 0;

  /** Each scope method of B, called with A's ids; returns what B got back. */
  const attempts: Record<string, (scope: ClinicScope) => Promise<unknown>> = {
    'owners.get': (scope) => scope.owners.get(aOwner.id),
    'owners.update': (scope) => scope.owners.update(aOwner.id, { version: 1, fullName: 'Hacked' }),
    'owners.remove': (scope) => scope.owners.remove(aOwner.id),
    'pets.add': (scope) => scope.pets.add(aOwner.id, [{ name: 'Intruder', petTypeId: 1 }]),
    'pets.get': (scope) => scope.pets.get(aPetId()),
    'pets.update': (scope) => scope.pets.update(aPetId(), { version: 1, name: 'Hacked' }),
    'pets.move (A pet to B owner)': (scope) =>
      scope.pets.move(aPetId(), { toOwnerId: bOwner.id, version: 1 }),
    'pets.move (B pet to A owner)': (scope) =>
      scope.pets.move(bOwner.pets[0]?.id ?? 0, { toOwnerId: aOwner.id, version: 1 }),
    'staff.add (A doctor)': (scope) => scope.staff.add({ role: 'receptionist', userId: aDoctorId }),
    'staff.add (A owner)': (scope) => scope.staff.add({ role: 'doctor', userId: a.ownerUserId }),
    'staff.deactivate (A doctor)': (scope) => scope.staff.deactivate(aDoctorId),
    'staff.deactivate (A owner)': (scope) => scope.staff.deactivate(a.ownerUserId),
  };

  it.each(Object.keys(attempts))(
    '%s fails with NotFoundError and changes nothing of A',
    async (name) => {
      const before = await snapshotOfA();
      const attempt = attempts[name];
      if (!attempt) throw new Error(name);
      const error = await attempt(vz.forClinic(b.clinicId)).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(NotFoundError);
      expect(await snapshotOfA()).toBe(before);
    },
  );

  it('reads and lists return nothing of A, and change nothing of A', async () => {
    const before = await snapshotOfA();
    const scope = vz.forClinic(b.clinicId);
    const aOwnerIds = (
      await pool.query<{ id: number }>('select id from owners where clinic_id = $1', [a.clinicId])
    ).rows.map((row) => row.id);
    const aPetIds = (
      await pool.query<{ id: number }>('select id from pets where clinic_id = $1', [a.clinicId])
    ).rows.map((row) => row.id);
    expect(aPetIds).toHaveLength(3);

    const seenOwners = [
      ...(await scope.owners.list({ limit: 100, withPetNames: true })).items,
      ...(await scope.owners.search({ name: 'Onlyina', withPetNames: true })).items,
      ...(await scope.owners.search({ name: 'a', withPetNames: true })).items,
      ...(await scope.owners.search({ phone: '0151 9998887', withPetNames: true })).items,
      ...(await scope.owners.search({ code: aOwner.code, withPetNames: true })).items,
    ];
    const exported: Owner[] = [];
    for await (const owner of scope.owners.export()) exported.push(owner);
    for (const owner of seenOwners) expect(aOwnerIds).not.toContain(owner.id);
    for (const owner of exported) {
      expect(aOwnerIds).not.toContain(owner.id);
      for (const pet of owner.pets) expect(aPetIds).not.toContain(pet.id);
    }
    const namesSeen = seenOwners.flatMap((owner) => owner.petNames ?? []);
    for (const name of ['Alphapet', 'Betapet', 'Gammapet']) expect(namesSeen).not.toContain(name);
    expect(namesSeen).toContain('Bpet');
    expect(idsOf(exported)).toEqual([bOwner.id]);

    const seenPets = [
      ...(await scope.pets.search({ name: 'Alphapet' })).items,
      ...(await scope.pets.search({ name: 'pet' })).items,
      ...(await scope.pets.search({ code: aOwner.pets[0]?.code ?? '' })).items,
      ...(await scope.pets.search({ microchip: '111222333444555' })).items,
    ];
    for (const pet of seenPets) {
      expect(aPetIds).not.toContain(pet.id);
      expect(aOwnerIds).not.toContain(pet.owner.id);
    }
    expect(idsOf(seenPets).every((id) => id === bOwner.pets[0]?.id)).toBe(true);

    const staff = await scope.staff.list();
    expect(staff.map((member) => member.userId)).toEqual([b.ownerUserId]);
    expect(await snapshotOfA()).toBe(before);
  });

  it("writes to B's own rows leave A unchanged: create, import, pets, staff", async () => {
    const before = await snapshotOfA();
    const scope = vz.forClinic(b.clinicId);
    const created = await scope.owners.create({
      fullName: 'New B',
      pets: [{ name: 'x', petTypeId: 1 }],
    });
    // A's microchip is free in B: microchips are unique per clinic, not across clinics.
    await scope.pets.add(created.id, [
      { name: 'Chip', petTypeId: 1, microchip: '111222333444555' },
    ]);
    await scope.owners.import([{ fullName: 'Imported B', pets: [{ name: 'y', petTypeId: 2 }] }]);
    await scope.staff.add({ role: 'doctor', email: 'dr.b@example.com', fullName: 'Dr B' });
    await scope.staff.add({ role: 'receptionist', userId: await insertUser(pool, 'receptionist') });
    await scope.owners.update(created.id, { version: 1, notes: 'fine' });
    await scope.owners.remove(created.id);
    expect(await snapshotOfA()).toBe(before);
  });

  it('covers every method of the scope', () => {
    const scope = vz.forClinic(b.clinicId);
    const methods = (['owners', 'pets', 'staff'] as const).flatMap((repository) =>
      Object.keys(scope[repository]).map((method) => `${repository}.${method}`),
    );
    const covered = new Set(Object.keys(attempts).map((name) => name.split(' ')[0]));
    // Reads, lists and B-only writes are covered by the two tests above.
    for (const method of [
      'owners.list',
      'owners.search',
      'owners.export',
      'owners.create',
      'owners.import',
      'pets.search',
      'staff.list',
    ])
      covered.add(method);
    expect(methods.filter((method) => !covered.has(method))).toEqual([]);
  });
});

describe('a scope for a clinic that does not exist', () => {
  it('sends no statement when made, and fails with NotFoundError(clinic) on first use', async () => {
    const { result: scope, statements } = await countStatements(queries, async () =>
      vz.forClinic(987_654),
    );
    expect(statements).toBe(0);
    const calls: Array<() => Promise<unknown>> = [
      () => scope.owners.get(1),
      () => scope.owners.list(),
      () => scope.owners.search({ name: 'x' }),
      () => scope.owners.create({ fullName: 'Ghost' }),
      () => scope.owners.update(1, { version: 1, fullName: 'x' }),
      () => scope.owners.remove(1),
      () => scope.owners.import([{ fullName: 'Ghost' }]),
      async () => {
        for await (const _ of scope.owners.export()) break;
      },
      () => scope.pets.add(1, [{ name: 'x', petTypeId: 1 }]),
      () => scope.pets.get(1),
      () => scope.pets.search({ name: 'x' }),
      () => scope.pets.update(1, { version: 1, name: 'x' }),
      () => scope.pets.move(1, { toOwnerId: 2, version: 1 }),
      () => scope.staff.add({ role: 'doctor', userId: 1 }),
      () => scope.staff.list(),
      () => scope.staff.deactivate(1),
    ];
    for (const call of calls) {
      await expect(call()).rejects.toMatchObject({ code: 'NOT_FOUND', entity: 'clinic' });
    }
    const { rows } = await pool.query(
      "select count(*)::int as n from owners where full_name = 'Ghost'",
    );
    expect(rows[0].n).toBe(0);
  });
});
