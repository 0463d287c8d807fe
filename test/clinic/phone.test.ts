import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CountryProfile,
  countryProfiles,
  randomNationalNumber,
} from '../../bench/generate/countries.js';
import { createPrng } from '../../bench/generate/prng.js';
import { nationalDigits } from '../../src/clinic/phone.js';
import type { Vetalyze } from '../../src/index.js';
import { insertClinic, setUpClinicTests } from './helpers.js';

/** The domestic prefix each country's numbers may be dialled with at home (none: Spain, Italy, Poland). */
const domesticPrefixes: Record<string, string[]> = {
  US: ['1 ', '1-'],
  GB: ['0'],
  DE: ['0'],
  FR: ['0'],
  ES: [],
  IT: [],
  BR: ['0', '0 21 '],
  MX: ['01 ', '044 ', '045 '],
  IN: ['0'],
  TR: ['0'],
  NG: ['0'],
  PL: [],
  NL: ['0'],
};

/** Every way the harness's countries write, or a caller may type, national number `nsn`. */
function spellings(profile: CountryProfile, nsn: string): string[] {
  const international = profile.international(nsn);
  const plusless = international.slice(1);
  return [
    profile.national(nsn),
    international,
    plusless,
    `00${plusless}`,
    `${profile.callingCode} ${nsn}`,
    `${profile.callingCode}-${profile.national(nsn)}`,
    nsn,
    ...(domesticPrefixes[profile.code] ?? []).map((prefix) => `${prefix}${nsn}`),
    ...(profile.code === 'MX' ? [`+52 1 ${nsn}`, `52 1 ${nsn}`] : []),
  ];
}

describe('nationalDigits in the 13 harness countries', () => {
  it('covers every country the harness generates', () => {
    expect(Object.keys(domesticPrefixes).sort()).toEqual(
      countryProfiles.map((profile) => profile.code).sort(),
    );
  });

  for (const profile of countryProfiles) {
    it(`${profile.code}: the calling code, the trunk prefix or neither give the same digits`, () => {
      const prng = createPrng('phone-test', profile.code);
      for (let draw = 0; draw < 25; draw++) {
        const nsn = randomNationalNumber(profile, prng);
        for (const spelling of spellings(profile, nsn)) {
          expect([spelling, nationalDigits(spelling, profile.callingCode)]).toEqual([
            spelling,
            nsn,
          ]);
        }
      }
    });
  }

  it.each([
    // The case: a US number with its leading 1.
    ['1 (415) 555-0123', '1', '4155550123'],
    ['1-415-555-0123', '1', '4155550123'],
    ['(415) 555-0123', '1', '4155550123'],
    // Brazil: trunk 0 and a carrier code.
    ['0 15 21 98765 4321', '55', '21987654321'],
    // United Kingdom: +44 (0) is written, the 0 is not dialled.
    ['44 (0) 7700 900123', '44', '7700900123'],
    // A national number that starts with the calling code keeps it (German area code 0491).
    ['0491 12345', '49', '49112345'],
    ['491 12345', '49', '49112345'],
    // A foreign number keeps its own calling code, so it cannot match a local one.
    ['+44 20 7946 0958', '49', '442079460958'],
    // A country without a known plan: only +/00, the calling code and trunk zeros.
    ['+43 664 1234567', '43', '6641234567'],
    ['43 664 1234567', '43', '436641234567'],
  ])('%s in a +%s clinic is %s', (raw, callingCode, digits) => {
    expect(nationalDigits(raw, callingCode)).toBe(digits);
  });
});

describe('phone storage and search per country', () => {
  let vz: Vetalyze;
  let pool: pg.Pool;

  beforeAll(async () => {
    ({ vz, pool } = await setUpClinicTests());
  });

  for (const profile of countryProfiles) {
    it(`${profile.code}: stored in any spelling, found by every spelling`, async () => {
      const { clinicId } = await insertClinic(pool, profile.code);
      const clinic = vz.forClinic(clinicId);
      const prng = createPrng('phone-db-test', profile.code);
      const nsn = randomNationalNumber(profile, prng);
      const forms = spellings(profile, nsn);
      // Each owner is stored with one spelling; all get the same digits.
      const owners = await Promise.all(
        forms.map((phoneNumber, index) =>
          clinic.owners.create({ fullName: `Owner ${index}`, phoneNumber }),
        ),
      );
      const { rows } = await pool.query<{ phone_digits: string }>(
        'select distinct phone_digits from owners where clinic_id = $1',
        [clinicId],
      );
      expect(rows.map((row) => row.phone_digits)).toEqual([nsn]);
      const ids = owners.map((owner) => owner.id).sort((a, b) => a - b);
      for (const phone of forms) {
        const page = await clinic.owners.search({ phone, limit: 100 });
        expect([phone, page.items.map((owner) => owner.id).sort((a, b) => a - b)]).toEqual([
          phone,
          ids,
        ]);
      }
    });
  }
});
