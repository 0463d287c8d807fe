/**
 * The pets repository of one clinic. A pet is visible only while it and its
 * owner are not archived. Every statement filters every tenant table it touches
 * by the clinic id parameter itself.
 */

import { z } from 'zod';
import { type FragmentSqlToken, limitSql, type QuerySqlToken, sql } from '../db/sql.js';
import { dynamicStatement, statement } from '../db/statement.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { containsPattern } from '../like.js';
import type { Page } from '../paging.js';
import { idSchema, parseInput } from '../validation.js';
import { parseCode } from './codes.js';
import { idPaging } from './cursor.js';
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
import { citusPetsInsertStatement } from './owners.js';
import { type NewPetColumns, newPetColumns } from './pet-tuples.js';
import {
  type Pet,
  type PetWithOwner,
  petColumns,
  petSchema,
  petWithOwnerSchema,
  unnestNewPets,
} from './rows.js';
import type { ScopeContext } from './scope-context.js';

/** The pets of one clinic. A pet is visible only while it and its owner are not archived. */
export interface PetsRepository {
  /**
   * Adds 1 to 50 pets to an owner of this clinic in ONE statement, each with
   * its code. Returns the new pets in input order. With the `citus` option, a
   * transaction of two statements Citus routes as one task each (the counter
   * bump for a live owner, the pets).
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

/*
 * The statements of the pets repository. `add` and `get` are prepared (one
 * plan serves every value). Unnamed: `search`, whose best plan depends on the
 * term (a name held by most pets or by one), and `move` with the reads that
 * explain a refused write, which run far less often than reads and are not
 * worth a prepared slot on every connection. `update` is dynamic (its SET
 * list follows the patch).
 */

/** The owner summary of {@link PetWithOwner}, from alias `o`. */
const ownerSummary = sql.fragment`json_build_object('id', o.id, 'code', vz_code('O', o.seq),
  'fullName', o.full_name, 'phoneNumber', o.phone_number) as owner`;

/**
 * Bumps the clinic's pet counter and inserts the pets for a live owner of the
 * clinic; no row when the owner is not there (and no code is used).
 */
const addPetsStatement = statement(
  'clinic.pets.add',
  petSchema,
  { prepared: true },
  (p: NewPetColumns & { clinicId: number; ownerId: number; count: number }) => sql.fragment`
    with o as (
      select o.id from owners o
      where o.clinic_id = ${p.clinicId} and o.id = ${p.ownerId} and o.archived_at is null
    ), counter as (
      insert into clinic_counters as c (clinic_id, last_owner_seq, last_pet_seq)
      select ${p.clinicId}, 0, ${p.count} where exists (select from o)
      on conflict (clinic_id) do update set last_pet_seq = c.last_pet_seq + excluded.last_pet_seq
      returning c.last_pet_seq - ${p.count} as pet_base
    ), p as (
      insert into pets (clinic_id, owner_id, seq, name, pet_type_id, breed, sex, birth_date, microchip)
      select ${p.clinicId}, o.id, counter.pet_base + t.n, t.name, t.pet_type_id, t.breed, t.sex,
        t.birth_date, t.microchip
      from o, counter, ${unnestNewPets(p)}
      returning *
    )
    select ${petColumns} from p order by p.id`,
);

/**
 * Citus mode (see owners.ts): `pets.add` as a transaction of one-task
 * statements. This one bumps the pet counter for a live owner of the clinic
 * (no row when the owner is not there); `citusPetsInsertStatement` then
 * inserts the pets. The counter's row comes from the owner's own row
 * (`o.clinic_id`), so Citus runs the INSERT ... SELECT on the shard.
 */
const citusAddPetsCounterStatement = statement(
  'clinic.pets.add:citus-counter',
  z.object({ petBase: z.number() }),
  { prepared: true },
  (p: { clinicId: number; ownerId: number; count: number }) => sql.fragment`
    insert into clinic_counters as c (clinic_id, last_owner_seq, last_pet_seq)
    select o.clinic_id, 0, ${p.count}
    from owners o
    where o.clinic_id = ${p.clinicId} and o.id = ${p.ownerId} and o.archived_at is null
    on conflict (clinic_id) do update set last_pet_seq = c.last_pet_seq + excluded.last_pet_seq
    returning c.last_pet_seq - ${p.count} as "petBase"`,
);

/** A live pet of a live owner of the clinic, with its owner's summary. */
const petByIdStatement = statement(
  'clinic.pets.get',
  petWithOwnerSchema,
  { prepared: true },
  (p: { clinicId: number; petId: number }) => sql.fragment`
    select ${petColumns}, ${ownerSummary}
    from pets p
    join owners o on o.clinic_id = ${p.clinicId} and o.id = p.owner_id and o.archived_at is null
    where p.clinic_id = ${p.clinicId} and p.id = ${p.petId} and p.archived_at is null`,
);

/** What a search page binds: the clinic, the keyset bound, the rows to read. */
interface PetPageParams {
  readonly clinicId: number;
  readonly bound: number;
  readonly limit: number;
}

/** One page of live pets of live owners newest first, filtered by `filter`. */
function petSearchPage(p: PetPageParams, filter: FragmentSqlToken) {
  return sql.fragment`
    select ${petColumns}, ${ownerSummary}
    from pets p
    join owners o on o.clinic_id = ${p.clinicId} and o.id = p.owner_id and o.archived_at is null
    where p.clinic_id = ${p.clinicId} and p.archived_at is null
      and p.id < ${p.bound}::int8 and ${filter}
    order by p.id desc
    ${limitSql(p.limit)}`;
}

/** A name of 3 characters or more: the trigram index can serve it. */
const searchByName = statement(
  'clinic.pets.search:name',
  petWithOwnerSchema,
  { prepared: false },
  (p: PetPageParams & { pattern: string }) =>
    petSearchPage(p, sql.fragment`p.name ilike ${p.pattern}`),
);

/** Under 3 characters no trigram exists: the expression keeps the planner off the index, walking the clinic's pets newest first. */
const searchByShortName = statement(
  'clinic.pets.search:name-walk',
  petWithOwnerSchema,
  { prepared: false },
  (p: PetPageParams & { pattern: string }) =>
    petSearchPage(p, sql.fragment`(p.name || '') ilike ${p.pattern}`),
);

/** An exact microchip. */
const searchByMicrochip = statement(
  'clinic.pets.search:microchip',
  petWithOwnerSchema,
  { prepared: false },
  (p: PetPageParams & { microchip: string }) =>
    petSearchPage(p, sql.fragment`p.microchip = ${p.microchip}`),
);

/** A pet code: the unique (clinic_id, seq) key. */
const searchByCode = statement(
  'clinic.pets.search:code',
  petWithOwnerSchema,
  { prepared: false },
  (p: PetPageParams & { seq: number }) => petSearchPage(p, sql.fragment`p.seq = ${p.seq}`),
);

/** The current version of a visible pet: classifies a refused update or move. */
const visiblePetVersionStatement = statement(
  'clinic.pets.visiblePetVersion',
  z.object({ version: z.number() }),
  { prepared: false },
  (p: { clinicId: number; petId: number }) => sql.fragment`
    select p.version from pets p
    join owners o on o.clinic_id = ${p.clinicId} and o.id = p.owner_id and o.archived_at is null
    where p.clinic_id = ${p.clinicId} and p.id = ${p.petId} and p.archived_at is null`,
);

/**
 * Changes the columns of `sets` if `version` is still the pet's and it and its
 * owner are live. Dynamic: the SET list holds only the fields the patch names.
 */
function updatePetStatement(
  p: { clinicId: number; petId: number; version: number },
  sets: readonly FragmentSqlToken[],
) {
  return dynamicStatement(
    'clinic.pets.update',
    petSchema,
    sql.fragment`
      update pets p
      set ${sql.join(sets, sql.fragment`, `)}, version = p.version + 1, updated_at = now()
      from owners o
      where p.clinic_id = ${p.clinicId} and p.id = ${p.petId} and p.archived_at is null
        and p.version = ${p.version}
        and o.clinic_id = ${p.clinicId} and o.id = p.owner_id and o.archived_at is null
      returning ${petColumns}`,
  );
}

/** Moves a live pet to live owner `toOwnerId` of the clinic if `version` is still the pet's. */
const movePetStatement = statement(
  'clinic.pets.move',
  petSchema,
  { prepared: false },
  (p: { clinicId: number; petId: number; version: number; toOwnerId: number }) => sql.fragment`
    update pets p
    set owner_id = t.id, version = p.version + 1, updated_at = now()
    from owners t, owners o
    where p.clinic_id = ${p.clinicId} and p.id = ${p.petId} and p.archived_at is null
      and p.version = ${p.version}
      and o.clinic_id = ${p.clinicId} and o.id = p.owner_id and o.archived_at is null
      and t.clinic_id = ${p.clinicId} and t.id = ${p.toOwnerId} and t.archived_at is null
    returning ${petColumns}`,
);

/** After a refused move: whether the new owner is a live owner of the clinic. */
const moveTargetStatement = statement(
  'clinic.pets.move:owner-visible',
  z.object({ found: z.number() }),
  { prepared: false },
  (p: { clinicId: number; toOwnerId: number }) => sql.fragment`
    select 1 as found from owners t
    where t.clinic_id = ${p.clinicId} and t.id = ${p.toOwnerId} and t.archived_at is null`,
);

/** The pets repository of one clinic scope. */
export function createPetsRepository(scope: ScopeContext): PetsRepository {
  const { clinicId, context } = scope;

  return {
    async add(ownerId: number, pets: NewPets): Promise<Pet[]> {
      const owner = parseInput(idSchema, ownerId, 'ownerId');
      const newPets = parseInput(newPetsSchema, pets, 'pets');
      await scope.facts();
      const count = newPets.length;
      const params = { clinicId, ownerId: owner, count, ...newPetColumns(newPets) };
      const added = context.citus
        ? await context.db.transaction(async (tx) => {
            const counter = await tx.maybeOne(citusAddPetsCounterStatement(params));
            if (!counter) return [];
            const rows = await tx.any(citusPetsInsertStatement({ ...params, ...counter }));
            return [...rows].sort((a, b) => a.id - b.id);
          })
        : await context.db.any(addPetsStatement(params));
      if (added.length === 0) throw new NotFoundError('owner', owner);
      return [...added];
    },

    async get(id: number): Promise<PetWithOwner> {
      const petId = parseInput(idSchema, id, 'id');
      await scope.facts();
      const pet = await context.readDb.maybeOne(petByIdStatement({ clinicId, petId }));
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
      const page = { clinicId, bound, limit: query.limit + 1 };
      let statement: QuerySqlToken<typeof petWithOwnerSchema>;
      if (query.name !== undefined) {
        const pattern = containsPattern(query.name);
        statement =
          query.name.length < 3
            ? searchByShortName({ ...page, pattern })
            : searchByName({ ...page, pattern });
      } else if (query.microchip !== undefined) {
        statement = searchByMicrochip({ ...page, microchip: query.microchip });
      } else {
        statement = searchByCode({ ...page, seq: parseCode('P', query.code ?? '') ?? 0 });
      }
      return paging.page(await context.readDb.any(statement), query.limit);
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
      const updated = await context.db.maybeOne(
        updatePetStatement({ clinicId, petId, version: changes.version }, sets),
      );
      if (updated) return updated;
      const current = await context.db.maybeOneFirst(
        visiblePetVersionStatement({ clinicId, petId }),
      );
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
      const moved = await context.db.maybeOne(
        movePetStatement({ clinicId, petId, version, toOwnerId }),
      );
      if (moved) return moved;
      const current = await context.db.maybeOneFirst(
        visiblePetVersionStatement({ clinicId, petId }),
      );
      if (current === null) throw new NotFoundError('pet', petId);
      const ownerVisible = await context.db.maybeOne(moveTargetStatement({ clinicId, toOwnerId }));
      if (!ownerVisible) throw new NotFoundError('owner', toOwnerId);
      throw new ConflictError(
        `pet ${petId} is at version ${current}, not ${version}: read it again`,
        'version',
      );
    },
  };
}
