import type { z } from 'zod';
import { type FragmentSqlToken, sql } from '../db/sql.js';
import type { newPetSchema } from './inputs.js';

/** A pet of a create or import, as the column tuple of the bulk insert. */
export type NewPetTuple = [string, number, string | null, string, string | null, string | null];

/** Column types of {@link NewPetTuple}, for `sql.unnest`. */
export const newPetColumnTypes = ['text', 'int2', 'text', 'pet_sex', 'date', 'text'];

/** The tuple of a validated new pet. */
export function newPetTuple(pet: z.output<typeof newPetSchema>): NewPetTuple {
  return [
    pet.name,
    pet.petTypeId,
    pet.breed ?? null,
    pet.sex ?? 'unknown',
    pet.birthDate ?? null,
    pet.microchip ?? null,
  ];
}

/** New pets as one array per column, the parameters of {@link unnestNewPets}. */
export interface NewPetColumns {
  readonly names: string[];
  readonly petTypeIds: number[];
  readonly breeds: (string | null)[];
  readonly sexes: string[];
  readonly birthDates: (string | null)[];
  readonly microchips: (string | null)[];
}

/** The columns of validated new pets, in order. */
export function newPetColumns(pets: readonly z.output<typeof newPetSchema>[]): NewPetColumns {
  const tuples = pets.map(newPetTuple);
  return {
    names: tuples.map((tuple) => tuple[0]),
    petTypeIds: tuples.map((tuple) => tuple[1]),
    breeds: tuples.map((tuple) => tuple[2]),
    sexes: tuples.map((tuple) => tuple[3]),
    birthDates: tuples.map((tuple) => tuple[4]),
    microchips: tuples.map((tuple) => tuple[5]),
  };
}

/**
 * The rows of {@link NewPetColumns} as `unnest(...) with ordinality as
 * t(name, pet_type_id, breed, sex, birth_date, microchip, n)`: what
 * `sql.unnest` renders, with each column an array parameter of its own so a
 * prepared statement can bind it.
 */
export function unnestNewPets(p: NewPetColumns): FragmentSqlToken {
  return sql.fragment`unnest(${p.names}::text[], ${p.petTypeIds}::int2[], ${p.breeds}::text[],
      ${p.sexes}::pet_sex[], ${p.birthDates}::date[], ${p.microchips}::text[])
    with ordinality as t(name, pet_type_id, breed, sex, birth_date, microchip, n)`;
}
