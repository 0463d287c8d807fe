import { containsPattern, hasTrigram, type LeanClient, type LeanRow, prepared } from './lean.js';

/**
 * A clinic's status as an operator list shows it, from its open subscription
 * record. The history probe is a scalar subquery: as EXISTS the planner may
 * hash every record of every clinic to answer a page (15.7 ms at 10,000
 * clinics, against under 1 ms).
 */
const statusSql = `case
    when o.status = 'suspended' then 'suspended'
    when o.status = 'active' and current_date < o.ends_on then 'active'
    when o.status = 'active' then 'expired'
    when (select true from subscription_history h where h.clinic_id = c.id limit 1) then 'expired'
    else 'none'
  end`;

/** The open record (at most one per clinic: the unique partial index). */
const openRecordSql = `left join lateral (
    select s.status, s.ends_on, s.subscription_type_id
    from subscription_history s
    where s.clinic_id = c.id and s.status in ('active', 'suspended')
    limit 1
  ) o on true`;

/**
 * A page of 20 clinics, newest first, after clinic id `beforeId`: what the
 * operator list shows (name, country, status, plan, paid until), 21 rows to
 * know whether a next page exists.
 */
export function leanClinicList(client: LeanClient, beforeId: number): Promise<LeanRow[]> {
  return prepared(
    client,
    'lean_clinic_list',
    `select c.id, c.clinic_name, c.country_code, ${statusSql} as status,
       o.subscription_type_id, o.ends_on
     from clinics c ${openRecordSql}
     where c.id < $1::int8
     order by c.id desc
     limit 21`,
    [beforeId],
  );
}

/**
 * Clinics whose name contains `term` (any case), newest first: id, name,
 * phone. As for owners (lean/clinic.ts): the trigram index for a term with a
 * trigram, a walk newest first for one without: one text, prepared under two
 * names so each kind of term keeps its own plan. The name lowered on write
 * (`clinic_name_folded`) spares the lowering of every name tested.
 */
export function leanClinicSearch(client: LeanClient, term: string): Promise<LeanRow[]> {
  const indexed = hasTrigram(term);
  return prepared(
    client,
    indexed ? 'lean_clinic_search' : 'lean_clinic_search_walk',
    `select id, clinic_name, clinic_phone_number
     from clinics
     where clinic_name_folded like lower($1)
     order by id desc
     limit 21`,
    [containsPattern(term)],
  );
}

/** A clinic's detail page: its fields, owner, country, status, open plan and active staff counts. */
export function leanClinicGet(client: LeanClient, clinicId: number): Promise<LeanRow[]> {
  return prepared(
    client,
    'lean_clinic_get',
    `select c.id, c.clinic_name, c.country_code, co.name as country_name,
       c.owner_phone_number, c.clinic_phone_number, c.version,
       u.full_name as owner_name, u.email as owner_email,
       ${statusSql} as status, o.subscription_type_id, o.ends_on, sc.doctors, sc.receptionists
     from clinics c
     join users u on u.id = c.owner_user_id
     join countries co on co.code = c.country_code
     ${openRecordSql}
     cross join lateral (
       select count(*) filter (where cs.role = 'doctor') as doctors,
              count(*) filter (where cs.role = 'receptionist') as receptionists
       from clinic_staff cs
       where cs.clinic_id = c.id and cs.is_active
     ) sc
     where c.id = $1`,
    [clinicId],
  );
}

/** What `clinics.create` takes (the scenario's input). */
export interface NewClinic {
  readonly clinicName: string;
  readonly countryCode: string;
  readonly ownerPhoneNumber: string;
  readonly clinicPhoneNumber: string;
  readonly owner: { readonly email: string; readonly fullName: string };
}

/** Creates the owner account, the clinic, its owner staff row and its counters; returns the id. */
export function leanClinicCreate(client: LeanClient, input: NewClinic): Promise<LeanRow[]> {
  return prepared(
    client,
    'lean_clinic_create',
    `with u as (
       insert into users (email, full_name, role, staff_clinic_id)
       select $1, $2, 'clinic_owner', nextval(pg_get_serial_sequence('clinics', 'id'))::int
       returning id, staff_clinic_id
     ), c as (
       insert into clinics (id, owner_user_id, country_code, clinic_name, owner_phone_number, clinic_phone_number)
       overriding system value
       select staff_clinic_id, id, $3, $4, $5, $6 from u
       returning id, owner_user_id
     ), staff as (
       insert into clinic_staff (clinic_id, user_id, role) select id, owner_user_id, 'clinic_owner' from c
     ), counters as (
       insert into clinic_counters (clinic_id) select id from c
     )
     select id from c`,
    [
      input.owner.email,
      input.owner.fullName,
      input.countryCode,
      input.clinicName,
      input.ownerPhoneNumber,
      input.clinicPhoneNumber,
    ],
  );
}

/** Renames a clinic at `version` (optimistic concurrency); returns the new version, none on a conflict. */
export function leanClinicUpdate(
  client: LeanClient,
  clinicId: number,
  version: number,
  clinicName: string,
): Promise<LeanRow[]> {
  return prepared(
    client,
    'lean_clinic_update',
    `update clinics set clinic_name = $3, version = version + 1, updated_at = now()
     where id = $1 and version = $2
     returning version`,
    [clinicId, version, clinicName],
  );
}
