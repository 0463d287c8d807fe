import type { Prng } from './prng.js';

/** How a country's clinics, people and phone numbers look. */
export interface CountryProfile {
  /** ISO 3166-1 alpha-2, as in the countries table. */
  readonly code: string;
  /** ITU calling code, as in the countries table. */
  readonly callingCode: string;
  /** The faker locale whose name and city lists this country uses. */
  readonly locale: string;
  /** Share of generated clinics in this country (relative). */
  readonly weight: number;
  /** Chance that a person's surname is two surnames (Spanish and Portuguese custom). */
  readonly doubleSurname: number;
  /**
   * Mobile national significant numbers: `#` is any digit, `[xy]` one of those
   * digits. None starts with 0 or with the calling code, so every way of typing
   * the number normalises to the same digits.
   */
  readonly mobilePatterns: readonly string[];
  /** The number as written at home (with the trunk prefix where the country uses one). */
  national(nsn: string): string;
  /** The number as written from abroad. */
  international(nsn: string): string;
  /** Clinic name templates: `{last}` a surname, `{city}` a city. */
  readonly clinicNames: readonly string[];
  /** Cities when the faker locale has none. */
  readonly cities?: readonly string[];
}

/** Splits digits into groups of the given sizes; the last group takes the rest. */
function group(digits: string, sizes: readonly number[], separator = ' '): string {
  const parts: string[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= digits.length) break;
    parts.push(digits.slice(at, at + size));
    at += size;
  }
  if (at < digits.length) parts[parts.length - 1] += digits.slice(at);
  return parts.join(separator);
}

/** Countries of the generated platform; weights roughly follow a European-American customer base. */
export const countryProfiles: readonly CountryProfile[] = [
  {
    code: 'US',
    callingCode: '1',
    locale: 'en',
    weight: 18,
    doubleSurname: 0,
    mobilePatterns: ['[2-9]##[2-9]######'],
    national: (n) => `(${n.slice(0, 3)}) ${n.slice(3, 6)}-${n.slice(6)}`,
    international: (n) => `+1 ${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`,
    clinicNames: [
      '{city} Veterinary Clinic',
      '{last} Animal Hospital',
      '{city} Pet Care Center',
      '{last} Veterinary Associates',
    ],
  },
  {
    code: 'GB',
    callingCode: '44',
    locale: 'en',
    weight: 10,
    doubleSurname: 0,
    mobilePatterns: ['7[1-9]########'],
    national: (n) => `0${n.slice(0, 4)} ${n.slice(4)}`,
    international: (n) => `+44 ${n.slice(0, 4)} ${n.slice(4)}`,
    clinicNames: ['{city} Veterinary Surgery', '{last} & Partners Vets', '{city} Vets'],
    cities: [
      'Bath',
      'Brighton',
      'Bristol',
      'Cambridge',
      'Chester',
      'Derby',
      'Exeter',
      'Leeds',
      'Leicester',
      'Norwich',
      'Oxford',
      'Reading',
      'Sheffield',
      'York',
    ],
  },
  {
    code: 'DE',
    callingCode: '49',
    locale: 'de',
    weight: 10,
    doubleSurname: 0,
    mobilePatterns: ['15[1279]########', '16[023]#######', '17[0-9]#######', '17[0-9]########'],
    national: (n) => `0${n.slice(0, 3)} ${n.slice(3)}`,
    international: (n) => `+49 ${n.slice(0, 3)} ${n.slice(3)}`,
    clinicNames: ['Tierarztpraxis {last}', 'Tierklinik {city}', 'Kleintierpraxis {last}'],
  },
  {
    code: 'FR',
    callingCode: '33',
    locale: 'fr',
    weight: 8,
    doubleSurname: 0,
    mobilePatterns: ['6########', '7[3-9]#######'],
    national: (n) => `0${n.slice(0, 1)} ${group(n.slice(1), [2, 2, 2, 2])}`,
    international: (n) => `+33 ${n.slice(0, 1)} ${group(n.slice(1), [2, 2, 2, 2])}`,
    clinicNames: ['Clinique Vétérinaire de {city}', 'Cabinet Vétérinaire {last}'],
  },
  {
    code: 'ES',
    callingCode: '34',
    locale: 'es',
    weight: 7,
    doubleSurname: 0.7,
    mobilePatterns: ['6########', '7[1-4]#######'],
    national: (n) => group(n, [3, 2, 2, 2]),
    international: (n) => `+34 ${group(n, [3, 3, 3])}`,
    clinicNames: ['Clínica Veterinaria {city}', 'Centro Veterinario {last}'],
  },
  {
    code: 'IT',
    callingCode: '39',
    locale: 'it',
    weight: 7,
    doubleSurname: 0,
    // Mobile only: Italian landlines keep their leading 0 in the national number.
    mobilePatterns: ['3[1-8]########'],
    national: (n) => group(n, [3, 3, 4]),
    international: (n) => `+39 ${group(n, [3, 3, 4])}`,
    clinicNames: ['Clinica Veterinaria {city}', 'Ambulatorio Veterinario {last}'],
  },
  {
    code: 'BR',
    callingCode: '55',
    locale: 'pt_BR',
    weight: 8,
    doubleSurname: 0.5,
    mobilePatterns: [
      '119########',
      '219########',
      '319########',
      '419########',
      '519########',
      '619########',
      '719########',
      '819########',
    ],
    national: (n) => `(${n.slice(0, 2)}) ${n.slice(2, 7)}-${n.slice(7)}`,
    international: (n) => `+55 ${n.slice(0, 2)} ${n.slice(2, 7)}-${n.slice(7)}`,
    clinicNames: ['Clínica Veterinária {city}', 'Hospital Veterinário {last}'],
    cities: [
      'São Paulo',
      'Campinas',
      'Curitiba',
      'Salvador',
      'Recife',
      'Fortaleza',
      'Belo Horizonte',
      'Porto Alegre',
      'Goiânia',
      'Manaus',
      'Niterói',
      'Santos',
    ],
  },
  {
    code: 'MX',
    callingCode: '52',
    locale: 'es_MX',
    weight: 6,
    doubleSurname: 0.8,
    mobilePatterns: ['55########', '33########', '81########', '22########', '44########'],
    national: (n) => group(n, [2, 4, 4]),
    international: (n) => `+52 ${group(n, [2, 4, 4])}`,
    clinicNames: ['Clínica Veterinaria {city}', 'Hospital Veterinario {last}'],
  },
  {
    code: 'IN',
    callingCode: '91',
    locale: 'en_IN',
    weight: 8,
    doubleSurname: 0,
    mobilePatterns: ['[6-8]#########', '9[2-9]########'],
    national: (n) => `0${n.slice(0, 5)} ${n.slice(5)}`,
    international: (n) => `+91 ${n.slice(0, 5)} ${n.slice(5)}`,
    clinicNames: ['{city} Pet Clinic', '{last} Veterinary Hospital'],
  },
  {
    code: 'TR',
    callingCode: '90',
    locale: 'tr',
    weight: 5,
    doubleSurname: 0,
    mobilePatterns: ['5[0-5]########'],
    national: (n) => `0${group(n, [3, 3, 2, 2])}`,
    international: (n) => `+90 ${group(n, [3, 3, 2, 2])}`,
    clinicNames: ['{city} Veteriner Kliniği', '{last} Veteriner Polikliniği'],
  },
  {
    code: 'NG',
    callingCode: '234',
    locale: 'en_NG',
    weight: 4,
    doubleSurname: 0,
    mobilePatterns: ['[789][01]########'],
    national: (n) => `0${group(n, [3, 3, 4])}`,
    international: (n) => `+234 ${group(n, [3, 3, 4])}`,
    clinicNames: ['{city} Veterinary Clinic', '{last} Animal Care'],
  },
  {
    code: 'PL',
    callingCode: '48',
    locale: 'pl',
    weight: 5,
    doubleSurname: 0,
    mobilePatterns: ['[5-7]########'],
    national: (n) => group(n, [3, 3, 3]),
    international: (n) => `+48 ${group(n, [3, 3, 3])}`,
    clinicNames: ['Przychodnia Weterynaryjna {city}', 'Gabinet Weterynaryjny {last}'],
  },
  {
    code: 'NL',
    callingCode: '31',
    locale: 'nl',
    weight: 4,
    doubleSurname: 0,
    mobilePatterns: ['6########'],
    national: (n) => `0${n.slice(0, 1)} ${n.slice(1)}`,
    international: (n) => `+31 ${n.slice(0, 1)} ${n.slice(1)}`,
    clinicNames: ['Dierenkliniek {city}', 'Dierenartsenpraktijk {last}'],
    cities: [
      'Amsterdam',
      'Rotterdam',
      'Utrecht',
      'Eindhoven',
      'Groningen',
      'Haarlem',
      'Leiden',
      'Delft',
      'Zwolle',
      'Breda',
    ],
  },
];

/** Pattern segments, compiled once: each is a list of allowed digits. */
function compilePattern(pattern: string): string[][] {
  const segments: string[][] = [];
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === '#') segments.push([...'0123456789']);
    else if (char === '[') {
      const end = pattern.indexOf(']', i);
      const body = pattern.slice(i + 1, end);
      const digits: string[] = [];
      for (let j = 0; j < body.length; j++) {
        if (body[j + 1] === '-') {
          for (let d = Number(body[j]); d <= Number(body[j + 2]); d++) digits.push(String(d));
          j += 2;
        } else digits.push(body[j] as string);
      }
      segments.push(digits);
      i = end;
    } else segments.push([char]);
  }
  return segments;
}

const compiled = new Map<string, string[][]>();

/** A random national significant number for one of the country's mobile patterns. */
export function randomNationalNumber(profile: CountryProfile, prng: Prng): string {
  const pattern = prng.pick(profile.mobilePatterns);
  let segments = compiled.get(pattern);
  if (!segments) {
    segments = compilePattern(pattern);
    compiled.set(pattern, segments);
  }
  let digits = '';
  for (const allowed of segments) digits += prng.pick(allowed);
  return digits;
}
