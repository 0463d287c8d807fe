import { createHash } from 'node:crypto';
import {
  containsPattern,
  hasTrigram,
  type LeanClient,
  type LeanRow,
  prefixRange,
  prepared,
} from './lean.js';

/** A page of 20 of a clinic's live owners, newest first, after `beforeId`: what the list shows. */
export function leanOwnerList(
  client: LeanClient,
  clinicId: number,
  beforeId: number,
): Promise<LeanRow[]> {
  return prepared(
    client,
    'lean_owner_list',
    `select id, full_name, phone_number, email
     from owners
     where clinic_id = $1 and archived_at is null and id < $2::int8
     order by id desc
     limit 21`,
    [clinicId, beforeId],
  );
}

/**
 * A clinic's live owners whose name contains `term` (any case), newest first:
 * id, name, phone. A term with a trigram goes to the trigram index (ILIKE on
 * the column); one without walks the owners newest first (lower() LIKE keeps
 * the planner off the index), each as its own prepared statement, so each
 * generic plan fits every term it gets.
 */
export function leanOwnerSearchName(
  client: LeanClient,
  clinicId: number,
  term: string,
): Promise<LeanRow[]> {
  const indexed = hasTrigram(term);
  return prepared(
    client,
    indexed ? 'lean_owner_search_name' : 'lean_owner_search_name_walk',
    `select id, full_name, phone_number
     from owners
     where clinic_id = $1 and archived_at is null
       and ${indexed ? 'full_name ilike $2' : 'lower(full_name) like lower($2)'}
     order by id desc
     limit 21`,
    [clinicId, containsPattern(term)],
  );
}

/**
 * A clinic's live owners whose national digits start or end with `digits`:
 * two index ranges (owners_phone_prefix, owners_phone_suffix).
 */
export function leanOwnerSearchPhone(
  client: LeanClient,
  clinicId: number,
  digits: string,
): Promise<LeanRow[]> {
  const [from, to] = prefixRange(digits);
  const [reverseFrom, reverseTo] = prefixRange([...digits].reverse().join(''));
  return prepared(
    client,
    'lean_owner_search_phone',
    `select id, full_name, phone_number
     from owners
     where clinic_id = $1 and archived_at is null
       and ((phone_digits ~>=~ $2 and phone_digits ~<~ $3)
         or (reverse(phone_digits) ~>=~ $4 and reverse(phone_digits) ~<~ $5))
     order by id desc
     limit 21`,
    [clinicId, from, to, reverseFrom, reverseTo],
  );
}

/**
 * An owner with their live pets: one flat row per pet (the owner's columns
 * repeated; one row with null pet columns when there is none), no JSON built.
 */
export function leanOwnerGet(
  client: LeanClient,
  clinicId: number,
  ownerId: number,
): Promise<LeanRow[]> {
  return prepared(
    client,
    'lean_owner_get',
    `select o.id, o.full_name, o.phone_number, o.email, o.address, o.notes, o.version,
       p.id as pet_id, p.name as pet_name, p.pet_type_id, p.breed, p.sex, p.birth_date,
       p.microchip, p.is_deceased
     from owners o
     left join pets p on p.clinic_id = o.clinic_id and p.owner_id = o.id and p.archived_at is null
     where o.clinic_id = $1 and o.id = $2 and o.archived_at is null
     order by p.id`,
    [clinicId, ownerId],
  );
}

/** A new owner with pets, as the scenario draws it (phone digits computed by the generator). */
export interface NewOwner {
  readonly fullName: string;
  readonly phoneNumber: string;
  /** The national significant number of `phoneNumber`. */
  readonly phoneDigits: string;
  readonly email: string;
  readonly pets: readonly {
    readonly name: string;
    readonly petTypeId: number;
    readonly breed: string | null;
    readonly sex: string;
    readonly birthDate: string;
    readonly microchip: string | null;
  }[];
}

/** The owner and pet CTEs both creates share; `$1` clinic, `$2` pet count, `$3..$11` owner and pets. */
const createCtes = `counter as (
       insert into clinic_counters as k (clinic_id, last_owner_seq, last_pet_seq)
       values ($1, 1, $2)
       on conflict (clinic_id) do update
         set last_owner_seq = k.last_owner_seq + 1, last_pet_seq = k.last_pet_seq + excluded.last_pet_seq
       returning k.last_owner_seq as owner_seq, k.last_pet_seq - $2 as pet_base
     ), o as (
       insert into owners (clinic_id, seq, full_name, phone_number, phone_digits, email)
       select $1, owner_seq, $3, $4, $5, $6 from counter
       returning id
     ), p as (
       insert into pets (clinic_id, owner_id, seq, name, pet_type_id, breed, sex, birth_date, microchip)
       select $1, o.id, counter.pet_base + t.n, t.name, t.pet_type_id, t.breed, t.sex, t.birth_date, t.microchip
       from o, counter,
         unnest($7::text[], $8::int2[], $9::text[], $10::pet_sex[], $11::date[], $12::text[])
           with ordinality as t(name, pet_type_id, breed, sex, birth_date, microchip, n)
     )`;

function createValues(clinicId: number, owner: NewOwner): unknown[] {
  const pets = owner.pets;
  return [
    clinicId,
    pets.length,
    owner.fullName,
    owner.phoneNumber,
    owner.phoneDigits,
    owner.email,
    pets.map((pet) => pet.name),
    pets.map((pet) => pet.petTypeId),
    pets.map((pet) => pet.breed),
    pets.map((pet) => pet.sex),
    pets.map((pet) => pet.birthDate),
    pets.map((pet) => pet.microchip),
  ];
}

/** Creates an owner with pets in one statement (seq numbers from the clinic's counter); returns the id. */
export function leanOwnerCreate(
  client: LeanClient,
  clinicId: number,
  owner: NewOwner,
): Promise<LeanRow[]> {
  return prepared(
    client,
    'lean_owner_create',
    `with ${createCtes} select id from o`,
    createValues(clinicId, owner),
  );
}

/**
 * The same create under an idempotency key: a live key returns the owner id it
 * stored; otherwise the owner is made and the key stored with that id (and
 * the request's hash, so a different payload under the key can be told apart).
 */
export function leanOwnerCreateKeyed(
  client: LeanClient,
  clinicId: number,
  owner: NewOwner,
  key: string,
): Promise<LeanRow[]> {
  const hash = createHash('sha256').update(JSON.stringify(owner)).digest();
  return prepared(
    client,
    'lean_owner_create_keyed',
    `with live as (
       select (result ->> 'id')::int as id from idempotency_keys
       where clinic_id = $1 and key = $13 and expires_at > now()
     ), ${createCtes.replace('values ($1, 1, $2)', 'select $1, 1, $2 where not exists (select from live)')},
     saved as (
       insert into idempotency_keys (clinic_id, key, operation, request_hash, result, expires_at)
       select $1, $13, 'owners.create', $14, jsonb_build_object('id', id), now() + interval '1 day' from o
     )
     select id from o union all select id from live`,
    [...createValues(clinicId, owner), key, hash],
  );
}
