import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ValidationError, type Vetalyze } from '../../src/index.js';
import { countStatements } from '../helpers/database.js';
import { insertClinic, setUpClinicTests } from './helpers.js';

let vz: Vetalyze;
let pool: pg.Pool;
let queries: string[];
let clinicId: number;

beforeAll(async () => {
  ({ vz, pool, queries } = await setUpClinicTests());
  ({ clinicId } = await insertClinic(pool));
});

describe('pets.add', () => {
  it('adds several pets to an owner in one statement, continuing the pet codes', async () => {
    const clinic = vz.forClinic(clinicId);
    const owner = await clinic.owners.create({
      fullName: 'Ada',
      pets: [{ name: 'A', petTypeId: 1 }],
    });
    const { result: pets, statements } = await countStatements(queries, () =>
      clinic.pets.add(owner.id, [
        { name: 'B', petTypeId: 2, breed: 'Siamese', sex: 'female_spayed' },
        { name: 'C', petTypeId: 3, microchip: 'abc 123 456 789' },
      ]),
    );
    expect(statements).toBe(1);
    expect(pets.map((pet) => [pet.code, pet.name, pet.ownerId])).toEqual([
      ['P-000002', 'B', owner.id],
      ['P-000003', 'C', owner.id],
    ]);
    expect(pets[1]?.microchip).toBe('ABC123456789');
    expect((await clinic.owners.get(owner.id)).pets.map((pet) => pet.name)).toEqual([
      'A',
      'B',
      'C',
    ]);
  });

  it('writes nothing and uses no code for an owner that is not there', async () => {
    const clinic = vz.forClinic(clinicId);
    const before = await pool.query(
      'select last_pet_seq from clinic_counters where clinic_id = $1',
      [clinicId],
    );
    await expect(clinic.pets.add(999_999, [{ name: 'X', petTypeId: 1 }])).rejects.toMatchObject({
      entity: 'owner',
    });
    const after = await pool.query(
      'select last_pet_seq from clinic_counters where clinic_id = $1',
      [clinicId],
    );
    expect(after.rows).toEqual(before.rows);
  });

  it('refuses a microchip already in the clinic with ConflictError naming microchip', async () => {
    const clinic = vz.forClinic(clinicId);
    const owner = await clinic.owners.create({
      fullName: 'Chip',
      pets: [{ name: 'One', petTypeId: 1, microchip: '900000000000001' }],
    });
    const error = await clinic.pets
      .add(owner.id, [{ name: 'Two', petTypeId: 1, microchip: '900 000 000 000 001' }])
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).field).toBe('microchip');
  });

  it('refuses a pet type that does not exist, naming petTypeId', async () => {
    const clinic = vz.forClinic(clinicId);
    const owner = await clinic.owners.create({ fullName: 'Typeless' });
    const error = await clinic.pets
      .add(owner.id, [{ name: 'Odd', petTypeId: 999 }])
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('petTypeId');
  });
});

describe('pets.get and pets.search', () => {
  it('gets a pet with its owner in one statement', async () => {
    const clinic = vz.forClinic(clinicId);
    const owner = await clinic.owners.create({
      fullName: 'Greta Get',
      phoneNumber: '0170 5550001',
      pets: [{ name: 'Fido', petTypeId: 1 }],
    });
    const petId = owner.pets[0]?.id ?? 0;
    const { result, statements } = await countStatements(queries, () => clinic.pets.get(petId));
    expect(statements).toBe(1);
    expect(result).toMatchObject({
      id: petId,
      name: 'Fido',
      owner: { id: owner.id, code: owner.code, fullName: 'Greta Get', phoneNumber: '0170 5550001' },
    });
  });

  it('searches pets by name (wildcards literal), code and microchip', async () => {
    const { clinicId: own } = await insertClinic(pool);
    const clinic = vz.forClinic(own);
    const owner = await clinic.owners.create({
      fullName: 'Search Owner',
      pets: [
        { name: 'Snowball', petTypeId: 2, microchip: '276098100000042' },
        { name: 'Snow_white', petTypeId: 2 },
        { name: '50% Husky', petTypeId: 1 },
      ],
    });
    const names = async (name: string) =>
      (await clinic.pets.search({ name })).items.map((pet) => pet.name).sort();
    expect(await names('snow')).toEqual(['Snow_white', 'Snowball']);
    expect(await names('w_')).toEqual(['Snow_white']);
    expect(await names('%')).toEqual(['50% Husky']);
    expect(await names('sn')).toEqual(['Snow_white', 'Snowball']);
    const byCode = await clinic.pets.search({ code: 'p-2' });
    expect(byCode.items.map((pet) => pet.name)).toEqual(['Snow_white']);
    const byChip = await clinic.pets.search({ microchip: '276 098 100 000 042' });
    expect(byChip.items.map((pet) => [pet.name, pet.owner.id])).toEqual([['Snowball', owner.id]]);
  });
});

describe('pets.update', () => {
  it('changes fields, version-checked; deceasedOn marks the pet deceased', async () => {
    const clinic = vz.forClinic(clinicId);
    const owner = await clinic.owners.create({
      fullName: 'Upd',
      pets: [{ name: 'Luna', petTypeId: 2, birthDate: '2015-06-01' }],
    });
    const pet = owner.pets[0];
    if (!pet) throw new Error('no pet');
    const renamed = await clinic.pets.update(pet.id, {
      version: pet.version,
      name: 'Luna II',
      breed: 'Maine Coon',
      sex: 'female',
      petTypeId: 2,
      microchip: '27609810000007',
    });
    expect(renamed).toMatchObject({
      name: 'Luna II',
      breed: 'Maine Coon',
      sex: 'female',
      version: 2,
    });
    const deceased = await clinic.pets.update(pet.id, { version: 2, deceasedOn: '2024-01-15' });
    expect(deceased).toMatchObject({ isDeceased: true, deceasedOn: '2024-01-15', version: 3 });
    const alive = await clinic.pets.update(pet.id, { version: 3, isDeceased: false });
    expect(alive).toMatchObject({ isDeceased: false, deceasedOn: null });
    const stale = await clinic.pets
      .update(pet.id, { version: 1, name: 'X' })
      .catch((caught: unknown) => caught);
    expect(stale).toBeInstanceOf(ConflictError);
    expect((stale as ConflictError).field).toBe('version');
  });

  it('refuses a death date before the birth date, naming deceasedOn', async () => {
    const clinic = vz.forClinic(clinicId);
    const owner = await clinic.owners.create({
      fullName: 'Dates',
      pets: [{ name: 'Old', petTypeId: 1, birthDate: '2020-05-05' }],
    });
    const pet = owner.pets[0];
    if (!pet) throw new Error('no pet');
    const error = await clinic.pets
      .update(pet.id, { version: 1, deceasedOn: '2019-01-01' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('deceasedOn');
  });
});

describe('pets.move', () => {
  it('moves a pet to another owner of the same clinic', async () => {
    const clinic = vz.forClinic(clinicId);
    const from = await clinic.owners.create({
      fullName: 'From',
      pets: [{ name: 'Mover', petTypeId: 1 }],
    });
    const to = await clinic.owners.create({ fullName: 'To' });
    const pet = from.pets[0];
    if (!pet) throw new Error('no pet');
    const moved = await clinic.pets.move(pet.id, { toOwnerId: to.id, version: pet.version });
    expect(moved).toMatchObject({ ownerId: to.id, version: 2 });
    expect((await clinic.owners.get(from.id)).pets).toEqual([]);
    expect((await clinic.owners.get(to.id)).pets.map((p) => p.id)).toEqual([pet.id]);
    await expect(
      clinic.pets.move(pet.id, { toOwnerId: from.id, version: 1 }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('refuses an archived or missing owner with NotFoundError(owner), changing nothing', async () => {
    const clinic = vz.forClinic(clinicId);
    const from = await clinic.owners.create({
      fullName: 'Keep',
      pets: [{ name: 'Stay', petTypeId: 1 }],
    });
    const gone = await clinic.owners.create({ fullName: 'Gone' });
    await clinic.owners.remove(gone.id);
    const pet = from.pets[0];
    if (!pet) throw new Error('no pet');
    for (const toOwnerId of [gone.id, 999_999]) {
      await expect(clinic.pets.move(pet.id, { toOwnerId, version: 1 })).rejects.toMatchObject({
        entity: 'owner',
      });
    }
    expect(await clinic.pets.get(pet.id)).toMatchObject({ ownerId: from.id, version: 1 });
  });
});
