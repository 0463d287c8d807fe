import { en } from '@faker-js/faker';
import { type Prng, type WeightedTable, weighted } from './prng.js';

/** One species as in the pet_types table, with what the generator draws for it. */
export interface Species {
  /** pet_types.id */
  readonly petTypeId: number;
  readonly code: string;
  /** Breeds to draw from; empty means the breed column stays null. */
  readonly breeds: readonly string[];
  /** Chance that a breed is recorded at all (mixed breeds, unknown). */
  readonly breedShare: number;
  /** Oldest age in years a living pet of this species reaches here. */
  readonly maxAgeYears: number;
  /** Chance of a microchip. */
  readonly microchipShare: number;
  /** Chance of being neutered or spayed (when the sex is known). */
  readonly neuteredShare: number;
}

const animal = en.animal;

/** The ten species of pet_types (ids 1..10), with sensible breeds and ages. */
export const speciesList: readonly Species[] = [
  {
    petTypeId: 1,
    code: 'dog',
    breeds: animal?.dog ?? [],
    breedShare: 0.8,
    maxAgeYears: 16,
    microchipShare: 0.75,
    neuteredShare: 0.55,
  },
  {
    petTypeId: 2,
    code: 'cat',
    breeds: animal?.cat ?? [],
    breedShare: 0.45,
    maxAgeYears: 20,
    microchipShare: 0.5,
    neuteredShare: 0.7,
  },
  {
    petTypeId: 3,
    code: 'rabbit',
    breeds: animal?.rabbit ?? [],
    breedShare: 0.5,
    maxAgeYears: 10,
    microchipShare: 0.05,
    neuteredShare: 0.3,
  },
  {
    petTypeId: 4,
    code: 'bird',
    breeds: [
      'Budgerigar',
      'Cockatiel',
      'Canary',
      'African Grey Parrot',
      'Lovebird',
      'Zebra Finch',
      'Sun Conure',
      'Cockatoo',
      'Macaw',
      'Pigeon',
    ],
    breedShare: 0.9,
    maxAgeYears: 25,
    microchipShare: 0,
    neuteredShare: 0,
  },
  {
    petTypeId: 5,
    code: 'rodent',
    breeds: ['Guinea Pig', 'Hamster', 'Rat', 'Mouse', 'Gerbil', 'Chinchilla', 'Degu'],
    breedShare: 0.95,
    maxAgeYears: 8,
    microchipShare: 0,
    neuteredShare: 0.05,
  },
  {
    petTypeId: 6,
    code: 'reptile',
    breeds: [
      'Bearded Dragon',
      'Leopard Gecko',
      'Corn Snake',
      'Ball Python',
      'Red-eared Slider',
      'Hermann Tortoise',
      'Crested Gecko',
      'Green Iguana',
    ],
    breedShare: 0.95,
    maxAgeYears: 30,
    microchipShare: 0.1,
    neuteredShare: 0,
  },
  {
    petTypeId: 7,
    code: 'fish',
    breeds: ['Goldfish', 'Koi', 'Betta', 'Guppy', 'Angelfish', 'Discus'],
    breedShare: 0.9,
    maxAgeYears: 12,
    microchipShare: 0,
    neuteredShare: 0,
  },
  {
    petTypeId: 8,
    code: 'horse',
    breeds: animal?.horse ?? [],
    breedShare: 0.85,
    maxAgeYears: 30,
    microchipShare: 0.9,
    neuteredShare: 0.4,
  },
  {
    petTypeId: 9,
    code: 'ferret',
    breeds: ['Sable', 'Albino', 'Cinnamon', 'Silver', 'Champagne'],
    breedShare: 0.6,
    maxAgeYears: 9,
    microchipShare: 0.3,
    neuteredShare: 0.6,
  },
  {
    petTypeId: 10,
    code: 'other',
    breeds: ['Hedgehog', 'Goat', 'Pig', 'Sugar Glider', 'Chicken', 'Duck'],
    breedShare: 0.9,
    maxAgeYears: 12,
    microchipShare: 0.05,
    neuteredShare: 0.1,
  },
];

/** How common each species is in a small-animal practice (relative weights). */
export const speciesTable: WeightedTable<Species> = weighted(
  speciesList.map((species) => {
    const share: Record<string, number> = {
      dog: 46,
      cat: 36,
      rabbit: 5,
      bird: 3,
      rodent: 4,
      reptile: 2,
      fish: 0.5,
      horse: 1.5,
      ferret: 1,
      other: 1,
    };
    return [species, share[species.code] ?? 1] as const;
  }),
);

/** A pet_sex value for a species. */
export function drawSex(species: Species, prng: Prng): string {
  if (prng.chance(0.04)) return 'unknown';
  const female = prng.chance(0.5);
  const neutered = prng.chance(species.neuteredShare);
  if (female) return neutered ? 'female_spayed' : 'female';
  return neutered ? 'male_neutered' : 'male';
}

/**
 * Number of pets of one owner with mean `mean`: 1 + Poisson(mean - 1) when the
 * mean is at least 1 (every owner has a pet, as at a vet), else Poisson(mean).
 */
export function drawPetCount(mean: number, prng: Prng): number {
  const base = mean >= 1 ? 1 : 0;
  const lambda = mean - base;
  if (lambda <= 0) return base;
  // Knuth's method: fine for the small lambdas used here.
  const limit = Math.exp(-lambda);
  let count = 0;
  let product = prng.next();
  while (product > limit) {
    count++;
    product *= prng.next();
  }
  return base + count;
}
