import type { z } from 'zod';
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
