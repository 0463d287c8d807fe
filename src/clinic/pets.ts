/**
 * The pets repository of one clinic. A pet is visible only while it and its
 * owner are not archived. Every statement filters every tenant table it touches
 * by the clinic id parameter itself.
 */

import { z } from 'zod';
import { type FragmentSqlToken, sql } from '../db/sql.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { containsPattern } from '../like.js';
import type { Page } from '../paging.js';
import { idSchema, parseInput } from '../validation.js';
import { parseCode } from './codes.js';
import { type IdPaging, idPaging } from './cursor.js';
import {
  type NewPets,
  newPetsSchema,
  type PetMove,
  type PetPatch,
  type PetSearch,
  petMoveSchema,
  petPatchSchema,
  petSearchSchema,
} from './inputs.js';
import { newPetColumnTypes, newPetTuple } from './pet-tuples.js';
import { type Pet, type PetWithOwner, petColumns, petSchema, petWithOwnerSchema } from './rows.js';
import type { ScopeContext } from './scope-context.js';

/** The pets of one clinic. A pet is visible only while it and its owner are not archived. */
export interface PetsRepository {
  /**
   * Adds 1 to 50 pets to an owner of this clinic in ONE statement, each with
   * its code. Returns the new pets in input order.
   * @throws NotFoundError (`owner`) when the owner is absent, archived or of
   *   another clinic: nothing is written, no code is used
   * @throws ConflictError (`microchip`) when a microchip is already in this clinic
   */
  add(ownerId: number, pets: NewPets): Promise<Pet[]>;
  /**
   * The pet with a summary of its owner: ONE prepared statement.
   * @throws NotFoundError (`pet`) when absent, archived (or its owner is) or of another clinic
   */
  get(id: number): Promise<PetWithOwner>;
  /**
   * Live pets matching `name` (case-insensitive substring, wildcards literal),
   * `code` (`P-000456`, `p-456`, `456`) or `microchip` (exact, spaces and case
   * ignored), newest first, with their owner: ONE unnamed statement.
   */
  search(request: PetSearch): Promise<Page<PetWithOwner>>;
  /**
   * Changes the given fields if `version` is still the pet's version. Setting
   * `deceasedOn` marks the pet deceased; `isDeceased: false` clears `deceasedOn`.
   * @throws ConflictError (`version`) when the pet changed since it was read;
   *   (`microchip`) when the microchip is another pet's in this clinic
   * @throws NotFoundError (`pet`) when absent, archived or of another clinic
   * @throws ValidationError (`deceasedOn`) when it would precede the birth date
   */
  update(id: number, patch: PetPatch): Promise<Pet>;
  /**
   * Moves the pet to another owner of this clinic, if `version` is still the
   * pet's version.
   * @throws NotFoundError (`pet`) when the pet is not visible here; (`owner`)
   *   when the new owner is absent, archived or of another clinic: nothing changes
   * @throws ConflictError (`version`) when the pet changed since it was read
   */
  move(id: number, move: PetMove): Promise<Pet>;
}

/** The owner summary of {@link PetWithOwner}, from alias `o`. */
const ownerSummary = sql.fragment`json_build_object('id', o.id, 'code', vz_code('O', o.seq),
  'fullName', o.full_name, 'phoneNumber', o.phone_number) as owner`;

/** The pets repository of one clinic scope. */
export function createPetsRepository(scope: ScopeContext): PetsRepository {
  const { clinicId, context } = scope;

  /** One page of live pets of live owners newest first, filtered by `filter` (unnamed statement). */
  async function searchPage(
    filter: FragmentSqlToken,
    limit: number,
    paging: IdPaging,
    bound: number,
  ): Promise<Page<PetWithOwner>> {
    const rows = await context.readDb.any(sql.type(petWithOwnerSchema)`
      select ${petColumns}, ${ownerSummary}
      from pets p
      join owners o on o.clinic_id = ${clinicId} and o.id = p.owner_id and o.archived_at is null
      where p.clinic_id = ${clinicId} and p.archived_at is null
        and p.id < ${bound}::int8 and ${filter}
      order by p.id desc
      limit ${limit + 1}`);
    return paging.page(rows, limit);
  }

  /** The current version of a visible pet, or null: classifies a failed write. */
  function visiblePetVersion(petId: number): Promise<number | null> {
    return context.db.maybeOneFirst(sql.type(z.object({ version: z.number() }))`
      select p.version from pets p
      join owners o on o.clinic_id = ${clinicId} and o.id = p.owner_id and o.archived_at is null
      where p.clinic_id = ${clinicId} and p.id = ${petId} and p.archived_at is null`);
  }

  return {
    async add(ownerId: number, pets: NewPets): Promise<Pet[]> {
      const owner = parseInput(idSchema, ownerId, 'ownerId');
      const newPets = parseInput(newPetsSchema, pets, 'pets');
      await scope.facts();
      const count = newPets.length;
      const added = await context.db.any(sql.prepared('vz_clinic_pet_add', petSchema)`
        with o as (
          select o.id from owners o
          where o.clinic_id = ${clinicId} and o.id = ${owner} and o.archived_at is null
        ), counter as (
          insert into clinic_counters as c (clinic_id, last_owner_seq, last_pet_seq)
          select ${clinicId}, 0, ${count} where exists (select from o)
          on conflict (clinic_id) do update set last_pet_seq = c.last_pet_seq + excluded.last_pet_seq
          returning c.last_pet_seq - ${count} as pet_base
        ), p as (
          insert into pets (clinic_id, owner_id, seq, name, pet_type_id, breed, sex, birth_date, microchip)
          select ${clinicId}, o.id, counter.pet_base + t.n, t.name, t.pet_type_id, t.breed, t.sex,
            t.birth_date, t.microchip
          from o, counter,
            ${sql.unnest(newPets.map(newPetTuple), newPetColumnTypes)}
              with ordinality as t(name, pet_type_id, breed, sex, birth_date, microchip, n)
          returning *
        )
        select ${petColumns} from p order by p.id`);
      if (added.length === 0) throw new NotFoundError('owner', owner);
      return [...added];
    },

    async get(id: number): Promise<PetWithOwner> {
      const petId = parseInput(idSchema, id, 'id');
      await scope.facts();
      const pet = await context.readDb.maybeOne(sql.prepared(
        'vz_clinic_pet_get',
        petWithOwnerSchema,
      )`
        select ${petColumns}, ${ownerSummary}
        from pets p
        join owners o on o.clinic_id = ${clinicId} and o.id = p.owner_id and o.archived_at is null
        where p.clinic_id = ${clinicId} and p.id = ${petId} and p.archived_at is null`);
      if (!pet) throw new NotFoundError('pet', petId);
      return pet;
    },

    async search(request: PetSearch): Promise<Page<PetWithOwner>> {
      const query = parseInput(petSearchSchema, request);
      const filter =
        query.name !== undefined
          ? ['name', query.name]
          : query.microchip !== undefined
            ? ['microchip', query.microchip]
            : ['code', query.code];
      const paging = idPaging(context.cursors, 'pets.search', clinicId, filter);
      const bound = paging.bound(query.cursor);
      await scope.facts();
      if (query.name !== undefined) {
        // Under 3 characters no trigram exists: walk the clinic's pets newest first.
        const column = query.name.length < 3 ? sql.fragment`(p.name || '')` : sql.fragment`p.name`;
        return searchPage(
          sql.fragment`${column} ilike ${containsPattern(query.name)}`,
          query.limit,
          paging,
          bound,
        );
      }
      if (query.microchip !== undefined) {
        return searchPage(
          sql.fragment`p.microchip = ${query.microchip}`,
          query.limit,
          paging,
          bound,
        );
      }
      const seq = parseCode('P', query.code ?? '') ?? 0;
      return searchPage(sql.fragment`p.seq = ${seq}`, query.limit, paging, bound);
    },

    async update(id: number, patch: PetPatch): Promise<Pet> {
      const petId = parseInput(idSchema, id, 'id');
      const changes = parseInput(petPatchSchema, patch);
      await scope.facts();
      const sets: FragmentSqlToken[] = [];
      if (changes.name !== undefined) sets.push(sql.fragment`name = ${changes.name}`);
      if (changes.petTypeId !== undefined)
        sets.push(sql.fragment`pet_type_id = ${changes.petTypeId}`);
      if (changes.breed !== undefined) sets.push(sql.fragment`breed = ${changes.breed}`);
      if (changes.sex !== undefined) sets.push(sql.fragment`sex = ${changes.sex}`);
      if (changes.birthDate !== undefined)
        sets.push(sql.fragment`birth_date = ${changes.birthDate}::date`);
      if (changes.microchip !== undefined)
        sets.push(sql.fragment`microchip = ${changes.microchip}`);
      if (changes.deceasedOn !== undefined)
        sets.push(sql.fragment`deceased_on = ${changes.deceasedOn}::date`);
      else if (changes.isDeceased === false) sets.push(sql.fragment`deceased_on = null`);
      const isDeceased = changes.isDeceased ?? (changes.deceasedOn ? true : undefined);
      if (isDeceased !== undefined) sets.push(sql.fragment`is_deceased = ${isDeceased}`);
      const updated = await context.db.maybeOne(sql.type(petSchema)`
          update pets p
          set ${sql.join(sets, sql.fragment`, `)}, version = p.version + 1, updated_at = now()
          from owners o
          where p.clinic_id = ${clinicId} and p.id = ${petId} and p.archived_at is null
            and p.version = ${changes.version}
            and o.clinic_id = ${clinicId} and o.id = p.owner_id and o.archived_at is null
          returning ${petColumns}`);
      if (updated) return updated;
      const current = await visiblePetVersion(petId);
      if (current === null) throw new NotFoundError('pet', petId);
      throw new ConflictError(
        `pet ${petId} is at version ${current}, not ${changes.version}: read it again`,
        'version',
      );
    },

    async move(id: number, move: PetMove): Promise<Pet> {
      const petId = parseInput(idSchema, id, 'id');
      const { toOwnerId, version } = parseInput(petMoveSchema, move);
      await scope.facts();
      const moved = await context.db.maybeOne(sql.type(petSchema)`
        update pets p
        set owner_id = t.id, version = p.version + 1, updated_at = now()
        from owners t, owners o
        where p.clinic_id = ${clinicId} and p.id = ${petId} and p.archived_at is null
          and p.version = ${version}
          and o.clinic_id = ${clinicId} and o.id = p.owner_id and o.archived_at is null
          and t.clinic_id = ${clinicId} and t.id = ${toOwnerId} and t.archived_at is null
        returning ${petColumns}`);
      if (moved) return moved;
      const current = await visiblePetVersion(petId);
      if (current === null) throw new NotFoundError('pet', petId);
      const ownerVisible = await context.db.maybeOne(sql.type(z.object({ found: z.number() }))`
        select 1 as found from owners t
        where t.clinic_id = ${clinicId} and t.id = ${toOwnerId} and t.archived_at is null`);
      if (!ownerVisible) throw new NotFoundError('owner', toOwnerId);
      throw new ConflictError(
        `pet ${petId} is at version ${current}, not ${version}: read it again`,
        'version',
      );
    },
  };
}
