import {
  de,
  en,
  en_IN,
  en_NG,
  es,
  es_MX,
  fr,
  it,
  type LocaleDefinition,
  nl,
  pl,
  pt_BR,
  tr,
} from '@faker-js/faker';

/**
 * Word lists of one locale, read once from faker's locale data (faker's own
 * generators are far too slow for millions of rows, and drawing from plain
 * arrays with the harness's PRNG keeps the data deterministic).
 */
export interface NamePool {
  readonly firstNames: readonly string[];
  readonly lastNames: readonly string[];
  readonly cities: readonly string[];
  /** firstNames[i] and lastNames[i] folded to ASCII lowercase letters, for e-mail addresses. */
  readonly firstAscii: readonly string[];
  readonly lastAscii: readonly string[];
}

const locales: Record<string, LocaleDefinition> = {
  en,
  de,
  fr,
  es,
  it,
  pt_BR,
  es_MX,
  en_IN,
  tr,
  en_NG,
  pl,
  nl,
};

/** Lowercase ASCII letters only: 'Zoë Müller-Łęcka' -> 'zoemullerlecka'. */
export function asciiFold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ł/g, 'l')
    .replace(/Ł/g, 'L')
    .replace(/ı/g, 'i')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}

function unique(values: readonly (readonly string[] | null | undefined)[]): string[] {
  const set = new Set<string>();
  for (const list of values)
    for (const value of list ?? []) if (value.trim()) set.add(value.trim());
  return [...set].sort();
}

const pools = new Map<string, NamePool>();

/** The pool of a faker locale key (see countries.ts); built on first use. */
export function namePool(locale: string, fallbackCities: readonly string[] = []): NamePool {
  const cached = pools.get(locale);
  if (cached) return cached;
  const definition = locales[locale];
  if (!definition) throw new Error(`no faker locale ${locale} in the harness`);
  const person = definition.person;
  const firstNames = unique([
    person?.first_name?.female,
    person?.first_name?.male,
    person?.first_name?.generic,
  ]).filter((name) => asciiFold(name).length > 0);
  const lastNames = unique([person?.last_name?.generic, person?.last_name?.female]).filter(
    (name) => asciiFold(name).length > 0,
  );
  const cities = unique([definition.location?.city_name, fallbackCities]);
  if (firstNames.length === 0 || lastNames.length === 0)
    throw new Error(`faker locale ${locale} has no person names`);
  const pool: NamePool = {
    firstNames,
    lastNames,
    cities: cities.length > 0 ? cities : lastNames,
    firstAscii: firstNames.map(asciiFold),
    lastAscii: lastNames.map(asciiFold),
  };
  pools.set(locale, pool);
  return pool;
}

/** Pet names: faker's pet names and, as people do, human first names of the locale. */
export function petNamePool(locale: string): readonly string[] {
  const pool = namePool(locale);
  return unique([en.animal?.pet_name, pool.firstNames.slice(0, 400)]);
}
