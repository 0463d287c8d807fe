/**
 * What the clinic scope returns: the public row types (written by hand), the
 * zod schemas that check rows against them, and the SQL fragments that select
 * exactly those shapes. Every statement that
 * returns an owner or a pet uses these, so the shapes cannot drift apart.
 *
 * Conventions: owners are aliased `o`, pets `p`; `date` values are
 * 'YYYY-MM-DD' strings, also inside json (PostgreSQL writes dates to json in ISO
 * form); pets carry no timestamps, so a pet read as json and a pet read as
 * columns are the same value.
 */

import { z } from 'zod';
import { type FragmentSqlToken, sql } from '../db/sql.js';
import { petSexSchema } from './inputs.js';
import type { NewPetColumns } from './pet-tuples.js';

/** A pet as every call returns it. */
export const petSchema = z.object({
  id: z.number(),
  /** Per-clinic code, e.g. `P-000456`. */
  code: z.string(),
  ownerId: z.number(),
  name: z.string(),
  petTypeId: z.number(),
  breed: z.string().nullable(),
  sex: petSexSchema,
  /** 'YYYY-MM-DD' */
  birthDate: z.string().nullable(),
  microchip: z.string().nullable(),
  isDeceased: z.boolean(),
  /** 'YYYY-MM-DD' */
  deceasedOn: z.string().nullable(),
  /** Pass back to `pets.update` / `pets.move` (optimistic locking). */
  version: z.number(),
});

/** A pet's sex as recorded. */
export type PetSex = 'unknown' | 'male' | 'female' | 'male_neutered' | 'female_spayed';

/** A pet as every call returns it. */
export interface Pet {
  readonly id: number;
  /** Per-clinic code, e.g. `P-000456`. */
  readonly code: string;
  readonly ownerId: number;
  readonly name: string;
  readonly petTypeId: number;
  readonly breed: string | null;
  readonly sex: PetSex;
  /** 'YYYY-MM-DD' */
  readonly birthDate: string | null;
  /** Digits and capital letters only, as stored. */
  readonly microchip: string | null;
  readonly isDeceased: boolean;
  /** 'YYYY-MM-DD' */
  readonly deceasedOn: string | null;
  /** Pass back to `pets.update` / `pets.move` (optimistic locking). */
  readonly version: number;
}

/** An owner (a pet owner: plain data, no account) with its pets. */
export const ownerSchema = z.object({
  id: z.number(),
  /** Per-clinic code, e.g. `O-000123`. */
  code: z.string(),
  fullName: z.string(),
  /** As typed; searches use its national digits. */
  phoneNumber: z.string().nullable(),
  email: z.string().nullable(),
  address: z.string().nullable(),
  notes: z.string().nullable(),
  /** Pass back to `owners.update` (optimistic locking). */
  version: z.number(),
  createdAt: z.date(),
  updatedAt: z.date(),
  /** The owner's pets that are not archived, oldest first. */
  pets: z.array(petSchema),
});

/** An owner (a pet owner: plain data, no account) with its pets, as every owners call returns it. */
export interface Owner {
  readonly id: number;
  /** Per-clinic code, e.g. `O-000123`. */
  readonly code: string;
  readonly fullName: string;
  /** As typed (NFC); searches use its national digits. */
  readonly phoneNumber: string | null;
  readonly email: string | null;
  readonly address: string | null;
  readonly notes: string | null;
  /** Pass back to `owners.update` (optimistic locking). */
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** The owner's pets that are not archived, oldest first. */
  readonly pets: readonly Pet[];
}

/** An owner's id and code: what `owners.create` returns with `returning: 'ref'`. */
export const ownerRefSchema = z.object({
  id: z.number(),
  /** Per-clinic code, e.g. `O-000123`. */
  code: z.string(),
});

/** An owner's id and code: what `owners.create` returns with `returning: 'ref'`. */
export type OwnerRef = Pick<Owner, 'id' | 'code'>;

/** A pet with a summary of its owner: what `pets.get` and `pets.search` return. */
export const petWithOwnerSchema = petSchema.extend({
  owner: z.object({
    id: z.number(),
    code: z.string(),
    fullName: z.string(),
    phoneNumber: z.string().nullable(),
  }),
});

/** A pet with a summary of its owner: what `pets.get` and `pets.search` return. */
export interface PetWithOwner extends Pet {
  readonly owner: {
    readonly id: number;
    readonly code: string;
    readonly fullName: string;
    readonly phoneNumber: string | null;
  };
}

/** The owner columns of {@link ownerSchema} (all but `pets`), from alias `o`. */
export const ownerColumns = sql.fragment`
  o.id, vz_code('O', o.seq) as code, o.full_name as "fullName",
  o.phone_number as "phoneNumber", o.email, o.address, o.notes, o.version,
  o.created_at as "createdAt", o.updated_at as "updatedAt"`;

/** The pet columns of {@link petSchema}, from alias `p`. */
export const petColumns = sql.fragment`
  p.id, vz_code('P', p.seq) as code, p.owner_id as "ownerId", p.name,
  p.pet_type_id as "petTypeId", p.breed, p.sex, p.birth_date as "birthDate",
  p.microchip, p.is_deceased as "isDeceased", p.deceased_on as "deceasedOn", p.version`;

/** One pet as a json object of {@link petSchema}, from alias `p`. */
export const petJson = sql.fragment`json_build_object(
  'id', p.id, 'code', vz_code('P', p.seq), 'ownerId', p.owner_id, 'name', p.name,
  'petTypeId', p.pet_type_id, 'breed', p.breed, 'sex', p.sex, 'birthDate', p.birth_date,
  'microchip', p.microchip, 'isDeceased', p.is_deceased, 'deceasedOn', p.deceased_on,
  'version', p.version)`;

/**
 * The live pets of owner `o` as a json array, oldest first. Filters pets by the
 * clinic id parameter itself, not only through `o` (one shard on Citus).
 */
export function livePetsOfOwner(clinicId: number): FragmentSqlToken {
  return sql.fragment`coalesce((
    select json_agg(${petJson} order by p.id)
    from pets p
    where p.clinic_id = ${clinicId} and p.owner_id = o.id and p.archived_at is null
  ), '[]'::json)`;
}

/**
 * The rows of new pets' columns ({@link NewPetColumns}) as `unnest(...) with ordinality as
 * t(name, pet_type_id, breed, sex, birth_date, microchip, n)`: what
 * `sql.unnest` renders, with each column an array parameter of its own so a
 * prepared statement can bind it.
 */
export function unnestNewPets(p: NewPetColumns): FragmentSqlToken {
  return sql.fragment`unnest(${p.names}::text[], ${p.petTypeIds}::int2[], ${p.breeds}::text[],
      ${p.sexes}::pet_sex[], ${p.birthDates}::date[], ${p.microchips}::text[])
    with ordinality as t(name, pet_type_id, breed, sex, birth_date, microchip, n)`;
}
