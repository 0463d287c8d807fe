import { describe, expect, it } from 'vitest';
import {
  type IdCursor,
  microchipOf,
  ownersRows,
  petsRows,
  planClinic,
} from '../../bench/generate/clinic.js';
import { countryProfiles, randomNationalNumber } from '../../bench/generate/countries.js';
import { DayStrings } from '../../bench/generate/dates.js';
import { defaultGeneratorOptions, type GeneratorOptions } from '../../bench/generate/options.js';
import { drawPetCount } from '../../bench/generate/pets.js';
import { createPrng } from '../../bench/generate/prng.js';
import { nationalDigits } from '../../src/clinic/phone.js';
import { copyBinaryToText, ownerFieldTypes, petFieldTypes } from '../helpers/copy-binary.js';

const options: GeneratorOptions = {
  ...defaultGeneratorOptions(),
  ownersPerClinic: 60,
  anchorDate: '2026-06-15',
};

function generate(generator: GeneratorOptions, clinics: number) {
  const ids: IdCursor = { user: 2, clinic: 1, subscription: 1, group: 1, owner: 1 };
  const days = new DayStrings();
  let petId = 1;
  return Array.from({ length: clinics }, (_, index) => {
    const plan = planClinic(generator, index + 1, ids, 1, days);
    const pets = petsRows(generator, plan, petId);
    petId += pets.count;
    return {
      lines: plan.lines,
      owners: copyBinaryToText(ownersRows(generator, plan), ownerFieldTypes),
      pets: copyBinaryToText(pets.bytes, petFieldTypes),
    };
  });
}

describe('the data generator', () => {
  it('gives the same data for the same seed, and other data for another seed', () => {
    const first = generate(options, 4);
    expect(generate(options, 4)).toEqual(first);
    const other = generate({ ...options, seed: 'another seed' }, 4);
    expect(other[0]?.owners).not.toEqual(first[0]?.owners);
  });

  it("generates a clinic's data independently of how many clinics precede it", () => {
    const days = new DayStrings();
    const alone = planClinic(
      options,
      7,
      { user: 2, clinic: 1, subscription: 1, group: 1, owner: 1 },
      1,
      days,
    );
    const all = generate(options, 7);
    expect(
      copyBinaryToText(ownersRows(options, alone), ownerFieldTypes).replace(/^\d+\t\d+\t/gm, ''),
    ).toEqual(all[6]?.owners.replace(/^\d+\t\d+\t/gm, ''));
  });

  it("writes phone digits exactly as the library normalises the owner's number", () => {
    for (const clinic of generate(options, 12)) {
      const clinicRow = clinic.lines.clinics.split('\t');
      const country = countryProfiles.find((profile) => profile.code === clinicRow[2]);
      expect(country).toBeDefined();
      for (const line of clinic.owners.trimEnd().split('\n')) {
        const [, , , , phone, digits] = line.split('\t');
        if (phone === '\\N') continue;
        expect(nationalDigits(phone ?? '', country?.callingCode ?? '')).toBe(digits);
      }
    }
  });

  it('gives every country numbers that survive national and international writing', () => {
    for (const country of countryProfiles) {
      const prng = createPrng('phones', country.code);
      for (let i = 0; i < 50; i++) {
        const digits = randomNationalNumber(country, prng);
        expect(digits).toMatch(/^[1-9][0-9]{6,12}$/);
        expect(nationalDigits(country.national(digits), country.callingCode)).toBe(digits);
        expect(nationalDigits(country.international(digits), country.callingCode)).toBe(digits);
      }
    }
  });

  it('never gives two pets of a clinic the same microchip, and chips have 15 digits', () => {
    for (const ordinal of [1, 2, 999, 123_456]) {
      const chips = new Set<string>();
      for (let seq = 1; seq <= 5000; seq++) chips.add(microchipOf(ordinal, seq));
      expect(chips.size).toBe(5000);
      for (const chip of chips) expect(chip).toMatch(/^9[0-9]{14}$/);
    }
  });

  it('averages the requested pets per owner', () => {
    const prng = createPrng('pets');
    let total = 0;
    for (let i = 0; i < 20_000; i++) total += drawPetCount(1.5, prng);
    expect(total / 20_000).toBeGreaterThan(1.45);
    expect(total / 20_000).toBeLessThan(1.55);
  });

  it('writes subscription chains of 12 monthly records with at most one open record', () => {
    for (const clinic of generate(options, 20)) {
      const records = clinic.lines.subscription_history
        .trimEnd()
        .split('\n')
        .map((line) => line.split('\t'));
      expect(records).toHaveLength(12);
      const open = records.filter((record) => record[5] === 'active' || record[5] === 'suspended');
      expect(open.length).toBeLessThanOrEqual(1);
      for (const record of records) {
        expect(['active', 'suspended', 'renewed', 'expired']).toContain(record[5]);
        expect((record[7] ?? '') > (record[6] ?? '')).toBe(true);
      }
      for (let i = 1; i < records.length; i++)
        expect((records[i]?.[6] ?? '') >= (records[i - 1]?.[7] ?? '')).toBe(true);
    }
  });
});
