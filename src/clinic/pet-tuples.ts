import type { z } from 'zod';
import type { newPetSchema } from './inputs.js';

/** A pet of a create or import, as one value per column of the bulk insert. */
type NewPetTuple = [string, number, string | null, string, string | null, string | null];

/** The tuple of a validated new pet. */
function newPetTuple(pet: z.output<typeof newPetSchema>): NewPetTuple {
  return [
    pet.name,
    pet.petTypeId,
    pet.breed ?? null,
    pet.sex ?? 'unknown',
    pet.birthDate ?? null,
    pet.microchip ?? null,
  ];
}

/** New pets as one array per column, the parameters of `unnestNewPets` (rows.ts). */
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
