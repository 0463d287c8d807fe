/**
 * The one text rule (src/validation.ts, `text()`) on every public call of both
 * scopes: NUL and lone surrogates are a ValidationError naming the field with
 * no statement sent; names and search terms are stored and searched as NFC.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/index.js';
import { countStatements, createTestVetalyze } from './helpers/database.js';
import { createClinic, unique } from './platform/fixtures.js';

const { vz, queries } = await createTestVetalyze();
const clinic = await createClinic(vz);
const scope = vz.forClinic(clinic.id);
const owner = await scope.owners.create({ fullName: 'Valid', pets: [{ name: 'V', petTypeId: 1 }] });
const petId = owner.pets[0]?.id ?? 0;
const user = await vz.users.create({
  email: `u-${unique()}@example.com`,
  fullName: 'User',
  role: 'doctor',
});

// A caller's untyped JSON, as a host application would pass it on.
const loose = <T>(value: unknown) => value as T;

/** [call, field the error must name], for a bad text `t`. */
const calls: Array<[string, (t: string) => Promise<unknown>, string]> = [
  [
    'users.create email',
    (t) => vz.users.create({ email: `a${t}@x.io`, fullName: 'A', role: 'doctor' }),
    'email',
  ],
  [
    'users.create fullName',
    (t) => vz.users.create({ email: 'b@x.io', fullName: t, role: 'doctor' }),
    'fullName',
  ],
  [
    'users.create password',
    (t) =>
      vz.users.create({ email: 'c@x.io', fullName: 'C', role: 'doctor', password: `password${t}` }),
    'password',
  ],
  ['users.verifyPassword email', (t) => vz.users.verifyPassword(`a${t}@x.io`, 'password'), 'email'],
  [
    'users.verifyPassword password',
    (t) => vz.users.verifyPassword('a@x.io', `pass${t}word`),
    'password',
  ],
  ['users.setPassword', (t) => vz.users.setPassword(user.id, `password${t}`), 'password'],
  ['clinics.create clinicName', (t) => createClinic(vz, { clinicName: t }), 'clinicName'],
  [
    'clinics.create phone',
    (t) => createClinic(vz, { ownerPhoneNumber: `030 ${t}1` }),
    'ownerPhoneNumber',
  ],
  [
    'clinics.create owner.fullName',
    (t) => createClinic(vz, { owner: { email: 'd@x.io', fullName: t } }),
    'owner.fullName',
  ],
  [
    'clinics.update clinicName',
    (t) => vz.clinics.update(clinic.id, { version: 1, clinicName: t }),
    'clinicName',
  ],
  ['clinics.list search', (t) => vz.clinics.list({ search: t }), 'search'],
  ['clinics.list countryCode', (t) => vz.clinics.list({ countryCode: t }), 'countryCode'],
  ['clinics.list cursor', (t) => vz.clinics.list({ cursor: t }), 'cursor'],
  [
    'subscriptions.activate amount',
    (t) =>
      vz.subscriptions.activate({
        clinicId: clinic.id,
        subscriptionTypeId: 1,
        paymentMethodId: 1,
        activatedBy: user.id,
        amount: `1${t}`,
      }),
    'amount',
  ],
  [
    'subscriptions.activate startsOn',
    (t) =>
      vz.subscriptions.activate({
        clinicId: clinic.id,
        subscriptionTypeId: 1,
        paymentMethodId: 1,
        activatedBy: user.id,
        startsOn: `2030-01-01${t}`,
      }),
    'startsOn',
  ],
  ['subscriptions.listActive cursor', (t) => vz.subscriptions.listActive({ cursor: t }), 'cursor'],
  ['subscriptions.groups cursor', (t) => vz.subscriptions.groups({ cursor: t }), 'cursor'],
  ['owners.create fullName', (t) => scope.owners.create({ fullName: t }), 'fullName'],
  [
    'owners.create phoneNumber',
    (t) => scope.owners.create({ fullName: 'A', phoneNumber: `0170 ${t}123` }),
    'phoneNumber',
  ],
  [
    'owners.create email',
    (t) => scope.owners.create({ fullName: 'A', email: `a${t}@x.io` }),
    'email',
  ],
  ['owners.create address', (t) => scope.owners.create({ fullName: 'A', address: t }), 'address'],
  ['owners.create notes', (t) => scope.owners.create({ fullName: 'A', notes: t }), 'notes'],
  [
    'owners.create pet name',
    (t) => scope.owners.create({ fullName: 'A', pets: [{ name: t, petTypeId: 1 }] }),
    'pets.0.name',
  ],
  [
    'owners.create pet breed',
    (t) => scope.owners.create({ fullName: 'A', pets: [{ name: 'P', petTypeId: 1, breed: t }] }),
    'pets.0.breed',
  ],
  [
    'owners.create pet microchip',
    (t) =>
      scope.owners.create({
        fullName: 'A',
        pets: [{ name: 'P', petTypeId: 1, microchip: `123456789${t}` }],
      }),
    'pets.0.microchip',
  ],
  [
    'owners.update fullName',
    (t) => scope.owners.update(owner.id, { version: 1, fullName: t }),
    'fullName',
  ],
  ['owners.update notes', (t) => scope.owners.update(owner.id, { version: 1, notes: t }), 'notes'],
  ['owners.search name', (t) => scope.owners.search({ name: t }), 'name'],
  ['owners.search phone', (t) => scope.owners.search({ phone: `0170${t}` }), 'phone'],
  ['owners.search code', (t) => scope.owners.search({ code: `O-1${t}` }), 'code'],
  ['owners.list cursor', (t) => scope.owners.list({ cursor: t }), 'cursor'],
  ['pets.add name', (t) => scope.pets.add(owner.id, [{ name: t, petTypeId: 1 }]), 'pets.0.name'],
  ['pets.update name', (t) => scope.pets.update(petId, { version: 1, name: t }), 'name'],
  ['pets.update breed', (t) => scope.pets.update(petId, { version: 1, breed: t }), 'breed'],
  ['pets.search name', (t) => scope.pets.search({ name: t }), 'name'],
  ['pets.search microchip', (t) => scope.pets.search({ microchip: `123456789${t}` }), 'microchip'],
  [
    'staff.add email',
    (t) => scope.staff.add({ role: 'doctor', email: `a${t}@x.io`, fullName: 'A' }),
    'email',
  ],
  [
    'staff.add fullName',
    (t) => scope.staff.add({ role: 'doctor', email: 'e@x.io', fullName: t }),
    'fullName',
  ],
  [
    'staff.add password',
    (t) =>
      scope.staff.add(
        loose({ role: 'doctor', email: 'f@x.io', fullName: 'F', password: `password${t}` }),
      ),
    'password',
  ],
];

const badTexts: Array<[string, string]> = [
  ['NUL', 'a\u0000b'],
  ['a lone high surrogate', 'a\uD800b'],
  ['a lone low surrogate', '\uDC00z'],
];

describe.each(badTexts)('%s', (_label, bad) => {
  it.each(calls)(
    '%s: ValidationError naming the field, no statement',
    async (_name, call, field) => {
      const { result: error, statements } = await countStatements(queries, () =>
        call(bad).then(
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

describe('NFC', () => {
  const composed = 'Café Müller';
  const decomposed = composed.normalize('NFD');

  it('stores an owner name typed decomposed as composed, and finds it either way', async () => {
    expect(decomposed).not.toBe(composed);
    const stored = await scope.owners.create({
      fullName: decomposed,
      pets: [{ name: `Chloé ${decomposed}`, petTypeId: 1 }],
    });
    expect(stored.fullName).toBe(composed);
    expect(stored.pets[0]?.name).toBe(`Chloé ${composed}`.normalize('NFC'));
    for (const name of [composed, decomposed, 'é M'.normalize('NFD')]) {
      const page = await scope.owners.search({ name });
      expect(page.items.map((item) => item.id)).toContain(stored.id);
      const pets = await scope.pets.search({ name });
      expect(pets.items.map((pet) => pet.ownerId)).toContain(stored.id);
    }
  });

  it('stores a clinic name typed decomposed as composed, and lists it by either spelling', async () => {
    const tag = unique();
    const created = await createClinic(vz, { clinicName: `${decomposed} ${tag}` });
    expect(created.clinicName).toBe(`${composed} ${tag}`);
    for (const search of [`${composed} ${tag}`, `${decomposed} ${tag}`]) {
      const page = await vz.clinics.list({ search });
      expect(page.items.map((item) => item.id)).toEqual([created.id]);
    }
  });

  it('keeps a password byte for byte (a decomposed password is not the composed one)', async () => {
    const email = `nfc-${unique()}@example.com`;
    await vz.users.create({
      email,
      fullName: 'N',
      role: 'doctor',
      password: `pässwörd${decomposed}`,
    });
    expect(await vz.users.verifyPassword(email, `pässwörd${decomposed}`)).not.toBeNull();
  });
});
