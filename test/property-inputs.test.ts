/**
 * Property-based tests of the public input schemas (fast-check): whatever a
 * schema accepts is stored and returned unchanged (after NFC and trimming);
 * whatever it rejects is a ValidationError naming the field, with zero
 * statements sent (counted with the onQuery hook). Each property decides
 * acceptance with its own oracle, not with the schema under test. Run counts
 * are modest so the file takes a few seconds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countryProfiles, randomNationalNumber } from '../bench/generate/countries.js';
import { createPrng } from '../bench/generate/prng.js';
import { ValidationError } from '../src/index.js';
import { countStatements, createTestVetalyze } from './helpers/database.js';
import { createClinic, unique } from './platform/fixtures.js';

const { vz, queries } = await createTestVetalyze();
const clinic = await createClinic(vz);
const scope = vz.forClinic(clinic.id);
// The clinic's facts are cached from here on: a valid call sends only its own statements.
const seedOwner = await scope.owners.create({ fullName: 'Seed' });

const runs = { numRuns: 40 };

/** Text that mixes the characters hostile input is made of. */
const hostileText = (maxLength: number) =>
  fc.string({
    maxLength,
    unit: fc.oneof(
      { weight: 6, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
      fc.constantFrom('\u0000', '\uD800', '\uDFFF', 'e\u0301', 'A\u030A', ' ', '\t', '%', '_'),
      fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
    ),
  });

/** Text over the limit as well as under it. */
const sizedText = (limit: number) =>
  fc.oneof(hostileText(40), fc.string({ minLength: limit - 2, maxLength: limit + 20 }));

/** What the text rule makes of `raw`, or undefined when it must be refused. */
function expectedText(raw: string, min: number, max: number): string | undefined {
  if (raw.includes('\u0000') || /\p{Cs}/u.test(raw)) return undefined;
  const value = raw.normalize('NFC').trim();
  return value.length >= min && value.length <= max ? value : undefined;
}

/** Numbers a caller's JSON may carry: NaN, infinities, fractions, unsafe and huge integers. */
const anyNumber = fc.oneof(
  fc.integer({ min: -5, max: 150 }),
  fc.double(),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53), 2 ** 31, 1e308, -0),
  fc.integer(),
);

/** Runs `call`; the error it threw (or undefined) and how many statements it sent. */
async function attempt(call: () => Promise<unknown>) {
  const { result, statements } = await countStatements(queries, () =>
    call().then(
      (value) => ({ value, error: undefined }),
      (error: unknown) => ({ value: undefined, error }),
    ),
  );
  return { ...result, statements };
}

function expectRefused(outcome: { error: unknown; statements: number }, field: string): void {
  expect(outcome.error).toBeInstanceOf(ValidationError);
  expect((outcome.error as ValidationError).issues.map((issue) => issue.field)).toContain(field);
  expect(outcome.statements).toBe(0);
}

describe('clinic scope', () => {
  it('owners.create fullName and notes: stored NFC and trimmed, or refused naming the field', async () => {
    await fc.assert(
      fc.asyncProperty(sizedText(200), hostileText(60), async (fullName, notes) => {
        const outcome = await attempt(() => scope.owners.create({ fullName, notes }));
        const name = expectedText(fullName, 1, 200);
        const note = expectedText(notes, 0, 10_000);
        if (name === undefined || note === undefined) {
          expectRefused(outcome, name === undefined ? 'fullName' : 'notes');
          return;
        }
        expect(outcome.error).toBeUndefined();
        const owner = outcome.value as Awaited<ReturnType<typeof scope.owners.get>>;
        expect(owner.fullName).toBe(name);
        expect(owner.notes).toBe(note === '' ? null : note);
        // Read back from the database, and found by the name as typed (NFC on both sides).
        const read = await scope.owners.get(owner.id);
        expect([read.fullName, read.notes]).toEqual([owner.fullName, owner.notes]);
        const found = await scope.owners.search({ name: fullName, limit: 100 });
        expect(found.items.map((item) => item.id)).toContain(owner.id);
      }),
      runs,
    );
  });

  it('pets: names, breeds and birth dates stored unchanged, or refused naming the field', async () => {
    const dates = fc.oneof(
      fc
        .date({ min: new Date('0001-01-01'), max: new Date('9999-12-31'), noInvalidDate: true })
        .map((date) => date.toISOString().slice(0, 10)),
      fc.constantFrom(
        '1899-12-31',
        '1900-01-01',
        '2020-02-30',
        '2021-02-29',
        '0000-01-01',
        '01.02.2020',
      ),
    );
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await fc.assert(
      fc.asyncProperty(sizedText(100), hostileText(20), dates, async (name, breed, birthDate) => {
        const outcome = await attempt(() =>
          scope.pets.add(seedOwner.id, [{ name, breed, birthDate, petTypeId: 1 }]),
        );
        const expectedName = expectedText(name, 1, 100);
        const expectedBreed = expectedText(breed, 0, 100);
        const validDate =
          /^\d{4}-\d{2}-\d{2}$/.test(birthDate) &&
          new Date(`${birthDate}T00:00:00Z`).toISOString().startsWith(birthDate) &&
          birthDate >= '1900-01-01' &&
          birthDate <= tomorrow;
        if (expectedName === undefined) return expectRefused(outcome, 'pets.0.name');
        if (expectedBreed === undefined) return expectRefused(outcome, 'pets.0.breed');
        if (!validDate) return expectRefused(outcome, 'pets.0.birthDate');
        expect(outcome.error).toBeUndefined();
        const [pet] = outcome.value as Awaited<ReturnType<typeof scope.pets.add>>;
        expect([pet?.name, pet?.breed, pet?.birthDate]).toEqual([
          expectedName,
          expectedBreed === '' ? null : expectedBreed,
          birthDate,
        ]);
      }),
      runs,
    );
  });

  it('phone numbers in many formats: stored as typed, digits and search per the national number', async () => {
    const germany = countryProfiles.find((profile) => profile.code === 'DE');
    if (!germany) throw new Error('no DE profile');
    const prng = createPrng('property-phone');
    const separators = fc.constantFrom(' ', '-', '.', '/', '');
    const phone = fc
      .tuple(
        fc.constantFrom('+49', '0049', '0', '49', '', '+49 (0)'),
        separators,
        fc.integer({ min: 0, max: 1_000_000 }),
      )
      .map(([prefix, separator]) => {
        const nsn = randomNationalNumber(germany, prng);
        const grouped = `${nsn.slice(0, 3)}${separator}${nsn.slice(3, 7)}${separator}${nsn.slice(7)}`;
        return { nsn, typed: `${prefix}${prefix ? ' ' : ''}${grouped}` };
      });
    await fc.assert(
      fc.asyncProperty(phone, async ({ nsn, typed }) => {
        const owner = await scope.owners.create({ fullName: 'Phone', phoneNumber: typed });
        expect(owner.phoneNumber).toBe(typed);
        const found = await scope.owners.search({ phone: `+49 ${nsn}`, limit: 100 });
        expect(found.items.map((item) => item.id)).toContain(owner.id);
      }),
      { numRuns: 25 },
    );
    await fc.assert(
      fc.asyncProperty(hostileText(40), async (typed) => {
        const outcome = await attempt(() =>
          scope.owners.create({ fullName: 'P', phoneNumber: typed }),
        );
        const trimmed = typed.trim();
        const digits = trimmed.replace(/\D/g, '').length;
        const shaped = /^[0-9+()\-./\s]*$/.test(trimmed) && trimmed.length <= 32;
        if (!shaped || (trimmed !== '' && (digits < 3 || digits > 15))) {
          return expectRefused(outcome, 'phoneNumber');
        }
        // Accepted by the schema; the clinic's calling code may still leave < 3 digits.
        if (outcome.error)
          return expect((outcome.error as ValidationError).field).toBe('phoneNumber');
        expect((outcome.value as { phoneNumber: string | null }).phoneNumber).toBe(trimmed || null);
      }),
      runs,
    );
  });

  it('page sizes and ids: NaN, infinities, fractions, unsafe and oversized numbers are refused', async () => {
    await fc.assert(
      fc.asyncProperty(anyNumber, anyNumber, async (limit, id) => {
        const validLimit = Number.isInteger(limit) && limit >= 1 && limit <= 100;
        const list = await attempt(() => scope.owners.list({ limit }));
        if (validLimit) expect(list.error).toBeUndefined();
        else expectRefused(list, 'limit');
        const validId = Number.isInteger(id) && id >= 1 && id <= 2_147_483_647;
        const get = await attempt(() => scope.owners.get(id));
        if (validId) expect(get.error).not.toBeInstanceOf(ValidationError);
        else expectRefused(get, 'id');
      }),
      { numRuns: 60 },
    );
  });
});

describe('operator scope', () => {
  it('clinics.create clinicName: stored NFC and trimmed, or refused naming the field', async () => {
    await fc.assert(
      fc.asyncProperty(sizedText(200), async (clinicName) => {
        const outcome = await attempt(() => createClinic(vz, { clinicName }));
        const expected = expectedText(clinicName, 1, 200);
        if (expected === undefined) return expectRefused(outcome, 'clinicName');
        expect(outcome.error).toBeUndefined();
        const created = outcome.value as Awaited<ReturnType<typeof vz.clinics.get>>;
        expect(created.clinicName).toBe(expected);
        expect((await vz.clinics.get(created.id)).clinicName).toBe(expected);
      }),
      { numRuns: 25 },
    );
  });

  it('users.create fullName and email: stored NFC, or refused naming the field', async () => {
    await fc.assert(
      fc.asyncProperty(sizedText(200), hostileText(10), async (fullName, local) => {
        const email = `${local}${unique()}@example.com`;
        const outcome = await attempt(() => vz.users.create({ email, fullName, role: 'doctor' }));
        const name = expectedText(fullName, 1, 200);
        const mail = expectedText(email, 1, 254);
        const mailShaped = mail !== undefined && /^[^@\s]+@[^@\s]+$/.test(mail);
        if (name === undefined) return expectRefused(outcome, 'fullName');
        if (!mailShaped) return expectRefused(outcome, 'email');
        expect(outcome.error).toBeUndefined();
        const user = outcome.value as Awaited<ReturnType<typeof vz.users.get>>;
        expect([user.fullName, user.email]).toEqual([name, mail]);
      }),
      { numRuns: 30 },
    );
  });

  it('subscription lists: year, month and page size out of range are refused before SQL', async () => {
    await fc.assert(
      fc.asyncProperty(anyNumber, anyNumber, anyNumber, async (year, month, limit) => {
        const outcome = await attempt(() => vz.subscriptions.list({ year, month, limit }));
        const fields = [
          !(Number.isInteger(year) && year >= 1900 && year <= 9998) && 'year',
          !(Number.isInteger(month) && month >= 1 && month <= 12) && 'month',
          !(Number.isInteger(limit) && limit >= 1 && limit <= 100) && 'limit',
        ].filter((field): field is string => field !== false);
        if (fields.length === 0) return expect(outcome.error).toBeUndefined();
        expectRefused(outcome, fields[0] as string);
      }),
      { numRuns: 60 },
    );
  });

  it('subscriptions.activate startsOn: only real dates from 1900 to 9998 reach SQL', async () => {
    const operator = await vz.users.create({
      email: `op-${unique()}@example.com`,
      fullName: 'Op',
      role: 'platform_admin',
    });
    const startsOn = fc.oneof(
      fc.constantFrom(
        '0000-01-01',
        '0001-01-01',
        '1899-12-31',
        '9999-12-31',
        '2024-02-30',
        '2024-13-01',
      ),
      fc.string({ maxLength: 12 }),
    );
    await fc.assert(
      fc.asyncProperty(startsOn, async (date) => {
        const outcome = await attempt(() =>
          vz.subscriptions.activate({
            clinicId: clinic.id,
            subscriptionTypeId: 1,
            paymentMethodId: 1,
            activatedBy: operator.id,
            startsOn: date,
          }),
        );
        expectRefused(outcome, 'startsOn');
      }),
      { numRuns: 30 },
    );
  });
});
