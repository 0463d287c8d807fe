import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClinicScope } from '../../src/clinic/scope.js';
import { ValidationError, type Vetalyze } from '../../src/index.js';
import { countStatements } from '../helpers/database.js';
import { insertClinic, setUpClinicTests } from './helpers.js';

let vz: Vetalyze;
let pool: pg.Pool;
let queries: string[];
let scope: ClinicScope;
let ownerId: number;
let petId: number;

beforeAll(async () => {
  ({ vz, pool, queries } = await setUpClinicTests());
  const { clinicId } = await insertClinic(pool);
  scope = vz.forClinic(clinicId);
  const owner = await scope.owners.create({
    fullName: 'Valid',
    pets: [{ name: 'V', petTypeId: 1 }],
  });
  ownerId = owner.id;
  petId = owner.pets[0]?.id ?? 0;
});

const pet = { name: 'Rex', petTypeId: 1 };
// Inputs are deliberately wrong: cast through unknown, as a caller's untyped JSON would arrive.
const bad = <T>(value: unknown) => value as T;

/** [what is wrong, the call, the field the error must name]. */
const cases: Array<[string, () => Promise<unknown>, string]> = [
  ['owner fullName missing', () => scope.owners.create(bad({})), 'fullName'],
  ['owner fullName blank', () => scope.owners.create({ fullName: '   ' }), 'fullName'],
  ['owner fullName too long', () => scope.owners.create({ fullName: 'x'.repeat(201) }), 'fullName'],
  [
    'phone with letters',
    () => scope.owners.create({ fullName: 'A', phoneNumber: 'call me' }),
    'phoneNumber',
  ],
  [
    'phone with 2 digits',
    () => scope.owners.create({ fullName: 'A', phoneNumber: '12' }),
    'phoneNumber',
  ],
  [
    'phone only the country code',
    () => scope.owners.create({ fullName: 'A', phoneNumber: '+49 12' }),
    'phoneNumber',
  ],
  ['email', () => scope.owners.create({ fullName: 'A', email: 'not-an-email' }), 'email'],
  [
    'address too long',
    () => scope.owners.create({ fullName: 'A', address: 'x'.repeat(501) }),
    'address',
  ],
  [
    'unknown owner field',
    () => scope.owners.create(bad({ fullName: 'A', phone: '0170 1234567' })),
    'phone',
  ],
  [
    'pet name',
    () => scope.owners.create({ fullName: 'A', pets: [pet, { ...pet, name: '' }] }),
    'pets.1.name',
  ],
  [
    'pet type id',
    () => scope.owners.create({ fullName: 'A', pets: [{ ...pet, petTypeId: 0 }] }),
    'pets.0.petTypeId',
  ],
  [
    'pet sex',
    () => scope.owners.create({ fullName: 'A', pets: [bad({ ...pet, sex: 'x' })] }),
    'pets.0.sex',
  ],
  [
    'pet birth date format',
    () => scope.owners.create({ fullName: 'A', pets: [{ ...pet, birthDate: '01.02.2020' }] }),
    'pets.0.birthDate',
  ],
  [
    'pet birth date impossible',
    () => scope.owners.create({ fullName: 'A', pets: [{ ...pet, birthDate: '2021-02-30' }] }),
    'pets.0.birthDate',
  ],
  [
    'pet birth date in the future',
    () => scope.owners.create({ fullName: 'A', pets: [{ ...pet, birthDate: '2999-01-01' }] }),
    'pets.0.birthDate',
  ],
  [
    'pet birth date before 1900',
    () => scope.owners.create({ fullName: 'A', pets: [{ ...pet, birthDate: '1899-12-31' }] }),
    'pets.0.birthDate',
  ],
  [
    'microchip too short',
    () => scope.owners.create({ fullName: 'A', pets: [{ ...pet, microchip: '12345678' }] }),
    'pets.0.microchip',
  ],
  [
    'microchip symbols',
    () => scope.owners.create({ fullName: 'A', pets: [{ ...pet, microchip: '123-456-789' }] }),
    'pets.0.microchip',
  ],
  [
    'too many pets',
    () => scope.owners.create({ fullName: 'A', pets: Array.from({ length: 51 }, () => pet) }),
    'pets',
  ],
  ['get id not an integer', () => scope.owners.get(1.5), 'id'],
  ['get id negative', () => scope.owners.get(-1), 'id'],
  ['list limit too big', () => scope.owners.list({ limit: 101 }), 'limit'],
  ['list limit zero', () => scope.owners.list({ limit: 0 }), 'limit'],
  ['list cursor forged', () => scope.owners.list({ cursor: 'not-a-cursor' }), 'cursor'],
  [
    'search cursor forged',
    () => scope.owners.search({ name: 'a', cursor: 'eyJpZCI6MH0' }),
    'cursor',
  ],
  ['pets.search cursor forged', () => scope.pets.search({ name: 'a', cursor: 'x' }), 'cursor'],
  ['search nothing', () => scope.owners.search(bad({})), 'input'],
  ['search two criteria', () => scope.owners.search(bad({ name: 'a', code: '1' })), 'code'],
  ['search name empty', () => scope.owners.search({ name: ' ' }), 'name'],
  ['search phone 2 digits', () => scope.owners.search({ phone: '12' }), 'phone'],
  ['search phone only country code', () => scope.owners.search({ phone: '+49 1' }), 'phone'],
  ['search code of a pet', () => scope.owners.search({ code: 'P-000001' }), 'code'],
  ['search code garbage', () => scope.owners.search({ code: 'abc' }), 'code'],
  ['update without version', () => scope.owners.update(ownerId, bad({ fullName: 'x' })), 'version'],
  ['update with nothing to change', () => scope.owners.update(ownerId, { version: 1 }), 'input'],
  [
    'update unknown field',
    () => scope.owners.update(ownerId, bad({ version: 1, name: 'x' })),
    'name',
  ],
  [
    'update fullName null',
    () => scope.owners.update(ownerId, bad({ version: 1, fullName: null })),
    'fullName',
  ],
  ['remove id', () => scope.owners.remove(bad('1')), 'id'],
  ['import not iterable', () => scope.owners.import(bad(42)), 'rows'],
  ['pets.add owner id', () => scope.pets.add(0, [pet]), 'ownerId'],
  ['pets.add no pets', () => scope.pets.add(ownerId, []), 'pets'],
  [
    'pets.add pet name',
    () => scope.pets.add(ownerId, [{ ...pet, name: 'x'.repeat(101) }]),
    'pets.0.name',
  ],
  ['pets.get id', () => scope.pets.get(bad(null)), 'id'],
  ['pets.search microchip', () => scope.pets.search({ microchip: 'short' }), 'microchip'],
  ['pets.search code', () => scope.pets.search({ code: 'O-1' }), 'code'],
  [
    'pets.update deceasedOn with isDeceased false',
    () => scope.pets.update(petId, { version: 1, isDeceased: false, deceasedOn: '2020-01-01' }),
    'deceasedOn',
  ],
  [
    'pets.update deceasedOn before birthDate',
    () =>
      scope.pets.update(petId, { version: 1, birthDate: '2020-01-01', deceasedOn: '2019-01-01' }),
    'deceasedOn',
  ],
  [
    'pets.update breed too long',
    () => scope.pets.update(petId, { version: 1, breed: 'x'.repeat(101) }),
    'breed',
  ],
  ['pets.update version', () => scope.pets.update(petId, { version: 0, name: 'x' }), 'version'],
  ['pets.move toOwnerId', () => scope.pets.move(petId, bad({ version: 1 })), 'toOwnerId'],
  ['staff.add role', () => scope.staff.add(bad({ role: 'clinic_owner', userId: 1 })), 'role'],
  ['staff.add neither userId nor account', () => scope.staff.add(bad({ role: 'doctor' })), 'email'],
  [
    'staff.add userId and email',
    () => scope.staff.add(bad({ role: 'doctor', userId: 1, email: 'a@b.de' })),
    'email',
  ],
  [
    'staff.add email',
    () => scope.staff.add({ role: 'doctor', email: 'nope', fullName: 'N' }),
    'email',
  ],
  [
    'staff.add short password',
    () =>
      scope.staff.add({ role: 'doctor', email: 'p@example.com', fullName: 'P', password: 'short' }),
    'password',
  ],
  ['staff.list role', () => scope.staff.list(bad({ role: 'platform_admin' })), 'role'],
  ['staff.list isActive', () => scope.staff.list(bad({ isActive: 'yes' })), 'isActive'],
  ['staff.deactivate id', () => scope.staff.deactivate(bad('abc')), 'userId'],
  [
    'export batch size',
    async () => {
      for await (const _ of scope.owners.export({ batchSize: 0 })) break;
    },
    'batchSize',
  ],
];

describe('input validation', () => {
  it('refuses a clinic id that cannot be one, naming clinicId, without a statement', async () => {
    for (const clinicId of [0, -3, 1.5, Number.NaN]) {
      const { result: error, statements } = await countStatements(queries, () =>
        vz
          .forClinic(clinicId)
          .owners.list()
          .catch((caught: unknown) => caught),
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe('clinicId');
      expect(statements).toBe(0);
    }
  });

  it.each(cases)(
    '%s: ValidationError naming the field, no statement sent',
    async (_, call, field) => {
      await scope.owners.list(); // the clinic's facts are cached: a failed input sends nothing
      const { result: error, statements } = await countStatements(queries, () =>
        call().then(
          () => undefined,
          (caught: unknown) => caught,
        ),
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((issue) => issue.field)).toContain(field);
      expect(statements).toBe(0);
    },
  );
});
