import { z } from 'zod';
import { hashPassword, passwordSchema } from '../accounts/password.js';
import type { ClinicStatus } from '../cache/clinic-status-cache.js';
import { hasTrigram } from '../clinic/owner-page.js';
import type { Context } from '../context.js';
import { type FragmentSqlToken, limitSql, type QuerySqlToken, sql } from '../db/sql.js';
import { statement } from '../db/statement.js';
import { ConflictError, NotFoundError } from '../errors.js';
import {
  type KeyedCall,
  keyedRow,
  keyedWrite,
  requestHasher,
  runIdempotent,
  splitKey,
  storedResult,
  type WriteOptions,
} from '../idempotency.js';
import { containsPattern } from '../like.js';
import { cursorBinding, type Page, pageLimitSchema, toPage } from '../paging.js';
import { idSchema, parseInput, text } from '../validation.js';
import {
  clinicDetailColumns,
  clinicDetailColumnsSql,
  clinicDetailRow,
  clinicDetailTail,
  clinicDetailTailSql,
  clinicFieldsColumnsSql,
  clinicStatusSchema,
  clinicSummaryColumnsSql,
  clinicSummaryRow,
  derivedStatusSql,
  openRecordJoinSql,
} from './clinic-sql.js';
import {
  clinicNameSchema,
  countryCodeSchema,
  emailSchema,
  fullNameSchema,
  phoneNumberSchema,
} from './fields.js';

/** A clinic's open subscription record (active or suspended), as nested in clinic objects. */
export interface OpenSubscription {
  readonly id: number;
  readonly groupId: number;
  readonly subscriptionTypeId: number;
  readonly paymentMethodId: number;
  readonly status: 'active' | 'suspended';
  /** 'YYYY-MM-DD' */
  readonly startsOn: string;
  /** 'YYYY-MM-DD' */
  readonly endsOn: string;
  /** Exact decimal string. */
  readonly amount: string;
}

/** A clinic's own columns: what `clinics.update` returns with `{ returning: 'clinic' }`. */
export interface ClinicFields {
  readonly id: number;
  readonly clinicName: string;
  /** ISO 3166-1 alpha-2. */
  readonly countryCode: string;
  readonly ownerUserId: number;
  readonly ownerPhoneNumber: string;
  readonly clinicPhoneNumber: string;
  /** Pass back to `clinics.update` (optimistic locking). */
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A clinic as listed: its fields, its derived status and its open subscription record. */
export interface ClinicSummary extends ClinicFields {
  readonly status: ClinicStatus;
  /** The open (active or suspended) record, null when none. */
  readonly subscription: OpenSubscription | null;
}

/**
 * A clinic as a brief list row (`clinics.list({ columns: 'brief' })`): what an
 * operator's list or search result shows, without the JSON of the open record.
 */
export interface ClinicBrief {
  readonly id: number;
  readonly clinicName: string;
  readonly countryCode: string;
  readonly clinicPhoneNumber: string;
  readonly status: ClinicStatus;
  /** The open record's subscription type, null when none. */
  readonly subscriptionTypeId: number | null;
  /** The open record's end date ('YYYY-MM-DD'), null when none. */
  readonly endsOn: string | null;
}

/**
 * A clinic as a contact row (`clinics.list({ columns: 'contact' })`): what a
 * name search needs to pick a clinic, without its subscription.
 */
export interface ClinicContact {
  readonly id: number;
  readonly clinicName: string;
  readonly clinicPhoneNumber: string;
}

/** A clinic with its owner, country and active staff counts. */
export interface ClinicDetail extends ClinicSummary {
  readonly owner: { readonly id: number; readonly email: string; readonly fullName: string };
  readonly country: { readonly code: string; readonly name: string; readonly callingCode: string };
  readonly staffCounts: { readonly doctors: number; readonly receptionists: number };
}

/** Input of {@link ClinicsRepository.create}. */
export interface CreateClinicInput {
  clinicName: string;
  /** ISO 3166-1 alpha-2 of a row in `countries`. */
  countryCode: string;
  ownerPhoneNumber: string;
  clinicPhoneNumber: string;
  /** The owner's new account (role clinic_owner). Without a password it is an invitation. */
  owner: { email: string; fullName: string; password?: string };
  /** See {@link WriteOptions}; may also be given as `options.idempotencyKey`. */
  idempotencyKey?: string;
}

/** Input of {@link ClinicsRepository.update}: the version read, and the fields to change. */
export interface UpdateClinicInput {
  /** The `version` of the clinic as last read; a newer one in the database is a conflict. */
  version: number;
  clinicName?: string;
  countryCode?: string;
  ownerPhoneNumber?: string;
  clinicPhoneNumber?: string;
}

/** Options of {@link ClinicsRepository.update}. */
export interface UpdateClinicOptions {
  /**
   * What the update returns: `'detail'` the {@link ClinicDetail} (owner,
   * country, open subscription, status, staff counts: four joins), `'clinic'`
   * only the clinic's own columns as updated ({@link ClinicFields}, no join).
   * @default 'detail'
   */
  returning?: 'detail' | 'clinic';
}

/** Options of {@link ClinicsRepository.list}. */
export interface ListClinicsOptions {
  /** Page size. @default 20, at most 100 */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
  /** Case-insensitive substring of the clinic name; `%`, `_` and `\` match literally. */
  search?: string;
  /** Only clinics whose derived status is this. */
  status?: ClinicStatus;
  /** Only clinics of this country. */
  countryCode?: string;
  /**
   * `'summary'`: every {@link ClinicSummary} field, the open record as an
   * object. `'brief'`: a {@link ClinicBrief} (id, name, country, clinic phone,
   * status, plan and end date), the lean row of a list or search result.
   * `'contact'`: a {@link ClinicContact} (id, name, clinic phone), no
   * subscription read at all.
   * @default 'summary'
   */
  columns?: 'summary' | 'brief' | 'contact';
}

/** Clinics (the tenants): creation with the owner's account, detail, versioned update, lists, status. */
export interface ClinicsRepository {
  /**
   * Creates the owner's account (role clinic_owner), the clinic, the owner's
   * clinic_staff row and the clinic's code counters in ONE statement, so a
   * failure leaves nothing behind. A password is hashed first (scrypt, tens of ms).
   *
   * With `idempotencyKey` (in the input or `options`) a retry is safe: the same
   * key again within `idempotencyTtlMs` returns the first call's clinic (as it
   * was then) and creates nothing, also when the calls run at once. Clinic
   * creation has no acting user, so its keys are platform-wide: give each
   * request a unique key (a UUID). The password is not compared, only whether
   * one was given. Still ONE statement; the key is stored in it.
   * @throws ValidationError naming the field; field `countryCode` for an unknown country.
   * @throws ConflictError field `email` when the owner's email is taken.
   * @throws ConflictError field `idempotencyKey` when the key was used for another request.
   */
  create(input: CreateClinicInput, options?: WriteOptions): Promise<ClinicDetail>;
  /**
   * The clinic with owner, country, open subscription, derived status and
   * active staff counts. One statement.
   * @throws NotFoundError('clinic', id).
   */
  get(id: number): Promise<ClinicDetail>;
  /**
   * Changes the given fields if the clinic is still at `patch.version`, and
   * bumps the version. One statement (a second one only to explain a refusal).
   * @throws ConflictError field `version` when the clinic changed since it was read.
   * @throws NotFoundError('clinic', id).
   * @throws ValidationError naming the field; field `countryCode` for an unknown country.
   */
  update(
    id: number,
    patch: UpdateClinicInput,
    options?: UpdateClinicOptions & { returning?: 'detail' },
  ): Promise<ClinicDetail>;
  /**
   * The same update, returning only the clinic's own columns as updated (the
   * new `version`, `updatedAt` and fields): one UPDATE ... RETURNING without
   * the detail's joins (EXPLAIN ANALYZE at 300 clinics: 0.34 ms execution for
   * the detail against 0.06 ms for the row).
   */
  update(
    id: number,
    patch: UpdateClinicInput,
    options: UpdateClinicOptions & { returning: 'clinic' },
  ): Promise<ClinicFields>;
  /**
   * Clinics newest first (id descending) as {@link ClinicBrief} rows (status,
   * plan and end date of the open record, no JSON), filtered by name
   * substring, status and country. One statement.
   * @throws ValidationError on a bad option or a cursor this list did not make.
   */
  list(options: ListClinicsOptions & { columns: 'brief' }): Promise<Page<ClinicBrief>>;
  /**
   * Clinics newest first (id descending) as {@link ClinicContact} rows (id,
   * name, clinic phone: the open record is not read), filtered by name
   * substring, status and country. One statement.
   * @throws ValidationError on a bad option or a cursor this list did not make.
   */
  list(options: ListClinicsOptions & { columns: 'contact' }): Promise<Page<ClinicContact>>;
  /**
   * Clinics newest first (id descending), each with its open subscription and
   * derived status (the default `columns: 'summary'`), filtered by name
   * substring, status and country. One statement.
   * @throws ValidationError on a bad option or a cursor this list did not make.
   */
  list(options?: ListClinicsOptions): Promise<Page<ClinicSummary>>;
  /**
   * The derived status, from the in-process cache when it holds the clinic (no
   * statement), else one statement. Every write through this library that can
   * change it invalidates the entry; an entry never outlives an active period's end.
   * @throws NotFoundError('clinic', id).
   */
  status(id: number): Promise<ClinicStatus>;
}

/*
 * The statements of the clinics repository. All are prepared: each serves
 * every value with one plan (the page and search shapes below are split so
 * that no value can meet a bad generic plan).
 */

/** Parameters of {@link createClinicStatement}. */
interface NewClinicParams {
  readonly email: string;
  readonly fullName: string;
  readonly passwordHash: string | null;
  readonly countryCode: string;
  readonly clinicName: string;
  readonly ownerPhoneNumber: string;
  readonly clinicPhoneNumber: string;
}

/**
 * The CTEs `new_clinic`, `new_user`, `c`, `staff` and `counters` of a clinic's
 * creation. The clinic's id is drawn first, so the owner's account is written
 * with its clinic (`users.staff_clinic_id`; a CTE cannot update a row its sibling
 * inserts). `userGate` gates the account's insert: empty, or (keyed) a WHERE
 * that yields nothing when the key is live, so nothing is written.
 */
function createClinicCtes(p: NewClinicParams, userGate: FragmentSqlToken) {
  return sql.fragment`new_clinic as (
      select nextval(pg_get_serial_sequence('clinics', 'id'))::int as id
    ), new_user as (
      insert into users (email, full_name, role, password_hash, staff_clinic_id)
      select ${p.email}, ${p.fullName}, 'clinic_owner', ${p.passwordHash}, id from new_clinic
      ${userGate}
      returning id, email, full_name, staff_clinic_id
    ), c as (
      insert into clinics
        (id, owner_user_id, country_code, clinic_name, owner_phone_number, clinic_phone_number)
      overriding system value
      select staff_clinic_id, id, ${p.countryCode}, ${p.clinicName}, ${p.ownerPhoneNumber}, ${p.clinicPhoneNumber}
      from new_user
      returning *
    ), staff as (
      insert into clinic_staff (clinic_id, user_id, role)
      select id, owner_user_id, 'clinic_owner' from c
    ), counters as (
      insert into clinic_counters (clinic_id) select id from c
    )`;
}

/** The new clinic as {@link clinicDetailRow}, from the CTEs `c` and `new_user`. */
const newClinicSelect = sql.fragment`select c.id, c.clinic_name as "clinicName", c.country_code as "countryCode",
      c.owner_user_id as "ownerUserId", c.owner_phone_number as "ownerPhoneNumber",
      c.clinic_phone_number as "clinicPhoneNumber", c.version,
      c.created_at as "createdAt", c.updated_at as "updatedAt",
      'none' as status, null::json as subscription,
      u.email as "ownerEmail", u.full_name as "ownerFullName",
      co.name as "countryName", co.calling_code as "callingCode",
      0 as "activeDoctors", 0 as "activeReceptionists"
    from c
    join new_user u on u.id = c.owner_user_id
    join countries co on co.code = c.country_code`;

/**
 * The owner's account, the clinic, its owner's staff row and its counters, in
 * data-modifying CTEs: the four inserts commit or fail together. A new clinic
 * has no subscription history, so its status is 'none' by construction.
 */
const createClinicStatement = statement(
  'platform.clinics.create',
  clinicDetailRow,
  { prepared: true },
  (p: NewClinicParams) => sql.fragment`
    with ${createClinicCtes(p, sql.fragment``)}
    ${newClinicSelect}`,
);

/**
 * {@link createClinicStatement} with an idempotency key (src/idempotency.ts;
 * keys of clinic creation are platform-wide, scope 0): the same inserts, gated
 * on the key having no live row, plus the key row with the clinic as jsonb, in
 * ONE statement.
 */
const createClinicKeyedStatement = statement(
  'platform.clinics.create:keyed',
  keyedRow,
  { prepared: true },
  (p: NewClinicParams & KeyedCall) =>
    keyedWrite(
      p,
      createClinicCtes(p, sql.fragment`where not exists (select from idem_live)`),
      newClinicSelect,
    ),
);

/** A new clinic as stored under an idempotency key. */
const storedClinic = storedResult(clinicDetailRow);

/** The scope of clinic creation keys: one for the whole platform (clinic ids start at 1). */
const platformKeyScope = 0;

/** What both clinic updates bind: the expected version and each field (null: unchanged). */
interface ClinicUpdateParams {
  clinicId: number;
  version: number;
  clinicName: string | null;
  countryCode: string | null;
  ownerPhoneNumber: string | null;
  clinicPhoneNumber: string | null;
}

/**
 * Changes the given columns (null keeps one) if `version` is still the clinic's.
 * The detail's joins read the clinic id parameter, not the CTE's id, so Citus
 * routes the statement to the clinic's shard (see `clinicDetailTail`).
 */
const updateClinicStatement = statement(
  'platform.clinics.update',
  clinicDetailRow,
  { prepared: true },
  (p: ClinicUpdateParams) => sql.fragment`
    with c as (
      update clinics set
        clinic_name = coalesce(${p.clinicName}::text, clinic_name),
        country_code = coalesce(${p.countryCode}::text, country_code),
        owner_phone_number = coalesce(${p.ownerPhoneNumber}::text, owner_phone_number),
        clinic_phone_number = coalesce(${p.clinicPhoneNumber}::text, clinic_phone_number),
        version = version + 1,
        updated_at = now()
      where id = ${p.clinicId} and version = ${p.version}
      returning *
    )
    select ${clinicDetailColumns(sql.fragment`${p.clinicId}::int`)}
    from c
    ${clinicDetailTail(sql.fragment`${p.clinicId}::int`)}`,
);

/** {@link ClinicFields} as SQL returns them. */
const clinicFieldsRow = clinicSummaryRow.omit({ status: true, subscription: true });

/**
 * The same update returning the clinic's own columns only: no CTE, no joins.
 * Together with no index on the phone columns (sql/0010), a phone change is a
 * heap-only (HOT) update.
 */
const updateClinicFieldsStatement = statement(
  'platform.clinics.update:fields',
  clinicFieldsRow,
  { prepared: true },
  (p: ClinicUpdateParams) => sql.fragment`
    update clinics c set
      clinic_name = coalesce(${p.clinicName}::text, clinic_name),
      country_code = coalesce(${p.countryCode}::text, country_code),
      owner_phone_number = coalesce(${p.ownerPhoneNumber}::text, owner_phone_number),
      clinic_phone_number = coalesce(${p.clinicPhoneNumber}::text, clinic_phone_number),
      version = version + 1,
      updated_at = now()
    where id = ${p.clinicId} and version = ${p.version}
    returning ${clinicFieldsColumnsSql}`,
);

/**
 * What a clinics page binds: keyset bound, rows to read, and its filters (null: none).
 * The bound is inclusive and an int4 (`c.id <= maxId::int`): an exclusive
 * bound above every id (2^31, a bigint) made Citus's shard pruning fail with
 * "integer out of range", as `clinics.id` is the distribution column.
 */
interface ClinicPageParams {
  /** The highest id the page may hold: the largest int4 on a first page, else the cursor's id - 1. */
  readonly maxId: number;
  readonly limit: number;
  readonly status: ClinicStatus | null;
  readonly countryCode: string | null;
}

/** A list statement ready to run, returning rows of `Row`. */
type QueryOf<Row extends ListRow> = QuerySqlToken<Row>;

/** The columns of a list row, and the row they make. */
interface ListColumns<Row extends ListRow> {
  /** The statement names' last variant part (`brief`), none for the summary. */
  readonly variant: string | null;
  readonly row: Row;
  /** The select list, given clinic `c` and its open record `o`. */
  readonly sql: FragmentSqlToken;
  /** Whether the select list reads the open record `o` (else it is joined only to filter by status). */
  readonly openRecord: boolean;
}

const summaryColumns: ListColumns<typeof clinicSummaryRow> = {
  variant: null,
  row: clinicSummaryRow,
  sql: clinicSummaryColumnsSql,
  openRecord: true,
};

/** {@link ClinicBrief}: the open record's plan and end date as columns, no JSON. */
export const clinicBriefRow = z.object({
  id: z.number(),
  clinicName: z.string(),
  countryCode: z.string(),
  clinicPhoneNumber: z.string(),
  status: clinicStatusSchema,
  subscriptionTypeId: z.number().nullable(),
  endsOn: z.string().nullable(),
});

const briefColumns: ListColumns<typeof clinicBriefRow> = {
  variant: 'brief',
  row: clinicBriefRow,
  sql: sql.fragment`
    c.id, c.clinic_name as "clinicName", c.country_code as "countryCode",
    c.clinic_phone_number as "clinicPhoneNumber", ${derivedStatusSql} as status,
    o.subscription_type_id as "subscriptionTypeId", o.ends_on as "endsOn"`,
  openRecord: true,
};

/** {@link ClinicContact}: the clinic's own columns only. */
export const clinicContactRow = z.object({
  id: z.number(),
  clinicName: z.string(),
  clinicPhoneNumber: z.string(),
});

/**
 * {@link ClinicContact}. Without the open record a page skips one index probe
 * of `subscription_history` per row: 0.05-0.06 of 0.18 ms for a walked
 * search's page at 1000 clinics (EXPLAIN ANALYZE, generic plan).
 */
const contactColumns: ListColumns<typeof clinicContactRow> = {
  variant: 'contact',
  row: clinicContactRow,
  sql: sql.fragment`
    c.id, c.clinic_name as "clinicName", c.clinic_phone_number as "clinicPhoneNumber"`,
  openRecord: false,
};

/** The rows a clinic list can return. */
type ListRow = typeof clinicSummaryRow | typeof clinicBriefRow | typeof clinicContactRow;

/** `base` with the columns' variant appended (`platform.clinics.list:status-brief`). */
function listName(base: string, columns: ListColumns<ListRow>) {
  if (columns.variant === null) return base;
  return `${base}${base.includes(':') ? '-' : ':'}${columns.variant}`;
}

/**
 * Clinics up to id `maxId` matching `filter`, newest first: the backward
 * primary-key scan stops after `limit` rows, each probing its open record on
 * the unique partial index when `openRecord` (the columns or the filter read it).
 */
function clinicPage(
  p: ClinicPageParams,
  filter: FragmentSqlToken,
  columns: FragmentSqlToken,
  openRecord: boolean,
) {
  return sql.fragment`
    select ${columns}
    from clinics c
    ${openRecord ? openRecordJoinSql : sql.fragment``}
    where c.id <= ${p.maxId}::bigint and ${filter}
    order by c.id desc
    ${limitSql(p.limit)}`;
}

/**
 * One prepared statement per filter shape (a statement builder cannot branch
 * on its parameters), for the given columns; and the call that picks one.
 */
function clinicPageStatements<Row extends ListRow>(columns: ListColumns<Row>) {
  const shape = (
    name: string,
    filter: (p: ClinicPageParams) => FragmentSqlToken,
    byStatus = false,
  ) =>
    statement(listName(name, columns), columns.row, { prepared: true }, (p: ClinicPageParams) =>
      clinicPage(p, filter(p), columns.sql, columns.openRecord || byStatus),
    );
  const all = shape('platform.clinics.list', () => sql.fragment`true`);
  const status = shape(
    'platform.clinics.list:status',
    (p) => sql.fragment`${derivedStatusSql} = ${p.status}`,
    true,
  );
  const country = shape(
    'platform.clinics.list:country',
    (p) => sql.fragment`c.country_code = ${p.countryCode}`,
  );
  const statusCountry = shape(
    'platform.clinics.list:status-country',
    (p) => sql.fragment`c.country_code = ${p.countryCode} and ${derivedStatusSql} = ${p.status}`,
    true,
  );
  return (p: ClinicPageParams) => {
    if (p.status !== null && p.countryCode !== null) return statusCountry(p);
    if (p.status !== null) return status(p);
    if (p.countryCode !== null) return country(p);
    return all(p);
  };
}

/** What a search page binds: a page's parameters and the ILIKE pattern of the term. */
interface ClinicSearchParams extends ClinicPageParams {
  readonly pattern: string;
  /** The term itself, for the walk's substring test. */
  readonly term: string;
  /** Newest clinics a trigram search reads before it turns to the GIN index. */
  readonly window: number;
}

/** The filters of one search statement, fixed when it is prepared. */
interface ClinicSearchShape {
  /** The term has a trigram (3 letters or digits in a row, see `hasTrigram`). */
  readonly trigram: boolean;
  readonly byStatus: boolean;
  readonly byCountry: boolean;
}

/**
 * The fewest newest clinics a trigram search reads, as a multiple of the rows
 * it needs: a term held by 1 clinic in 10 or more fills its page there.
 */
const searchWindowFactor = 10;

/**
 * Where the newest clinics a trigram search reads begin (exclusive): the
 * window is `2 x sqrt(limit x clinics)` ids below the page's bound, at least
 * `window`; the clinics are counted by the planner's estimate (`reltuples`,
 * kept by autovacuum and ANALYZE; 0 on a Citus coordinator, where the floor
 * holds). A term of density d costs `limit / d` rows walked newest first
 * against `d x clinics` matches rechecked from the GIN index, and a match
 * rechecked costs about 4 rows walked (at 10,000 clinics: 2.3 ms to walk
 * every clinic, 0.5 ms to recheck the 382 matches of 'nti'), so the walk is
 * cheaper above d = sqrt(limit / (4 x clinics)): a window of
 * 2 x sqrt(limit x clinics) rows, 917 at 10,000 clinics and 290 at 1000.
 * With the floor's 210 at 10,000, a term in 1 to 2 names of 20 ('nár', 793
 * names) rechecked rows from every heap page of the table (2.2 ms against 0.53
 * ms, generic plan, EXPLAIN ANALYZE). A bound rather than a LIMIT: Citus
 * refuses a subquery in LIMIT in a multi-shard query, and runs these
 * uncorrelated ones first. The window tests names with strpos, which no index
 * serves: with LIKE, the generic plan ANDed the range's bitmap with the
 * trigram index's and rechecked 452 rows for 'eter' (5,534 names) where the
 * walk reads about 40.
 */
function searchWindowStartSql(p: ClinicSearchParams) {
  return sql.fragment`(
    (select least(${p.maxId}::bigint, max(w.id)) from clinics w)
    - (select greatest(${p.window}::int8, (2 * sqrt(${p.limit}::int8 * greatest(t.reltuples, 0)))::int8)
       from pg_class t where t.oid = 'clinics'::regclass))`;
}

/**
 * A search page. Terms without a trigram (under 3 letters or digits in a
 * row) would make the trigram GIN index read every entry (as for owners, see
 * owner-page.ts); they match most names, so the page is a list page
 * ({@link clinicPage}): the primary key is walked backwards until the page is
 * full. The test is `strpos(clinic_name_folded, lower(term)) > 0`, the
 * substring match ILIKE makes of `%term%` (it lowers both sides for UTF-8
 * text; the column holds the name lowered on write, sql/0013): the
 * planner has no selectivity for it but the default third of the rows, in the
 * generic plan as in a custom one, so the prepared statement keeps the walk.
 * As `lower(name) LIKE lower($n)` the generic plan guessed 2 matches in 1000
 * clinics, looked cheaper than the walk, and was kept: a scan of every clinic,
 * each probing its open record, then a sort (33 ms for 'a' at 1000 clinics,
 * EXPLAIN ANALYZE, against 0.3 ms for the walk). (The walk was a subquery with
 * LIMIT joined to the open record: Citus plans such a subquery apart and
 * cannot join its result to subscription_history.)
 *
 * Terms with a trigram: page first, the inner part finds the page's ids, and
 * only those rows get their open record, derived status and JSON. A status
 * filter needs the open record to filter, so those shapes probe it inside as
 * well.
 *
 * Terms with a trigram get neither plan alone, because one generic plan must
 * serve rare and common terms alike. Measured on 10,000 clinics (the seed's
 * names x 34), generic plans, page of 21: the backward walk read 5,848 rows
 * (10.7 ms) for 'segov' (34 matches), and the GIN index alone rechecked and
 * sorted 5,641 rows for 'vet' (56% of names) against 31 for the walk. So the
 * statement first filters the newest clinics (the window, see
 * {@link searchWindowStartSql}) and, only when they hold fewer than a page,
 * reads the GIN index (a materialized CTE has no ORDER BY for the planner to
 * walk the primary key for, and its one-time filter skips it when the window
 * sufficed): a term that fills its page in the window costs the window, a
 * rarer one the window plus its own matches.
 *
 * The page's rows are read by `c.id = any (array(...))`: an index scan of the
 * primary key for the page's ids, whatever the plan guesses of how many there
 * are. As a join (`from (select id ... limit) page join clinics c on c.id =
 * page.id`), the generic plan guessed 290 ids (a tenth of the window plus the
 * GIN scan's guess), found hashing every clinic cheaper than 290 index probes,
 * and read the whole table for every trigram search: 253 buffers for 'lin' at
 * 10,000 clinics, 169 of them the clinics heap, against 100 this way
 * (EXPLAIN ANALYZE, generic plan). The subquery is uncorrelated, as is the
 * window's bound: Citus runs both first (`vetalyze citus-check` ran every
 * search shape on Citus 13.2.2).
 */
function clinicSearchPage(
  p: ClinicSearchParams,
  shape: ClinicSearchShape,
  columns: ListColumns<ListRow>,
) {
  const others: FragmentSqlToken[] = [];
  if (shape.byCountry) others.push(sql.fragment`c.country_code = ${p.countryCode}`);
  if (shape.byStatus) others.push(sql.fragment`${derivedStatusSql} = ${p.status}`);
  const filtered = (nameTest: FragmentSqlToken) =>
    sql.fragment`${sql.join([nameTest, ...others], sql.fragment` and `)}`;
  const walked = filtered(
    sql.fragment`strpos(c.clinic_name_folded, (select lower(${p.term}))) > 0`,
  );
  if (!shape.trigram)
    return clinicPage(p, walked, columns.sql, columns.openRecord || shape.byStatus);
  const filter = filtered(sql.fragment`c.clinic_name_folded like (select lower(${p.pattern}))`);
  const statusJoin = shape.byStatus ? openRecordJoinSql : sql.fragment``;
  // With a status filter the open record is an outer join, and Citus on
  // PostgreSQL 15 and 16 refuses an outer join under a qual without columns
  // (the gate): the gate sits above the join, which OFFSET 0 keeps apart. On
  // PostgreSQL it is the same one-time filter, so the GIN scan still runs only
  // when the window held less than a page.
  const indexed = shape.byStatus
    ? sql.fragment`select i.id from (
          select c.id from clinics c
          ${statusJoin}
          where c.id <= ${p.maxId}::bigint and ${filter}
          offset 0
        ) i
        where (select count(*) from recent) < ${p.limit}`
    : sql.fragment`select c.id from clinics c
        where (select count(*) from recent) < ${p.limit}
          and c.id <= ${p.maxId}::bigint and ${filter}`;
  const page = sql.fragment`
      with recent as materialized (
        select c.id
        from clinics c ${statusJoin}
        where c.id <= ${p.maxId}::bigint and c.id > ${searchWindowStartSql(p)} and ${walked}
        order by c.id desc
        ${limitSql(p.limit)}
      ), indexed as materialized (
        ${indexed}
      ), ids as (
        select id from recent where (select count(*) from recent) >= ${p.limit}
        union all
        select id from indexed
      )
      select c.*
      from clinics c
      where c.id = any (array(select id from ids order by id desc ${limitSql(p.limit)}))`;
  return sql.fragment`
    select ${columns.sql}
    from (${page}) c
    ${columns.openRecord ? openRecordJoinSql : sql.fragment``}
    order by c.id desc`;
}

/**
 * Every search shape as a named prepared statement (8: trigram or walk, by
 * status or not, by country or not), named `platform.clinics.list:search`
 * with `-walk`, `-status`, `-country` as they apply, for the given columns;
 * and the call that picks one for a term. Unnamed, a search spent about
 * 0.9 ms of each call in parse and plan (measured at 1000 clinics); the
 * shapes above do not depend on the term for their plan, so the generic plan
 * is safe.
 */
function clinicSearchStatements<Row extends ListRow>(columns: ListColumns<Row>) {
  const shapes = new Map<string, (p: ClinicSearchParams) => QueryOf<Row>>(
    [false, true].flatMap((trigram) =>
      [false, true].flatMap((byStatus) =>
        [false, true].map((byCountry) => {
          const shape = { trigram, byStatus, byCountry };
          const name = `platform.clinics.list:search${trigram ? '' : '-walk'}${byStatus ? '-status' : ''}${byCountry ? '-country' : ''}`;
          const search = statement(
            listName(name, columns),
            columns.row,
            { prepared: true },
            (p: ClinicSearchParams) => clinicSearchPage(p, shape, columns),
          );
          return [`${trigram}/${byStatus}/${byCountry}`, search] as const;
        }),
      ),
    ),
  );
  return (p: ClinicPageParams, search: string) => {
    const key = `${hasTrigram(search)}/${p.status !== null}/${p.countryCode !== null}`;
    const shape = shapes.get(key);
    if (!shape) throw new Error(`no clinic search shape ${key}`);
    return shape({
      ...p,
      pattern: containsPattern(search),
      term: search,
      window: p.limit * searchWindowFactor,
    });
  };
}

/** The statements of `clinics.list`, by the columns it returns. */
const clinicLists = {
  summary: {
    page: clinicPageStatements(summaryColumns),
    search: clinicSearchStatements(summaryColumns),
  },
  brief: {
    page: clinicPageStatements(briefColumns),
    search: clinicSearchStatements(briefColumns),
  },
  contact: {
    page: clinicPageStatements(contactColumns),
    search: clinicSearchStatements(contactColumns),
  },
};

/** What `clinics.status` reads on a cache miss. */
const clinicStatusRow = z.object({
  status: clinicStatusSchema,
  changesAt: z.number().nullable(),
});

/**
 * `clinics.status` on a cache miss: the status of clinic `clinicId` and, while
 * active, the epoch ms of midnight (database time zone) at the start of
 * `ends_on`, when it turns 'expired'.
 */
const clinicStatusStatement = statement(
  'platform.clinics.status',
  clinicStatusRow,
  { prepared: true },
  (p: { clinicId: number }) => sql.fragment`
    select ${derivedStatusSql} as status,
      case when o.status = 'active' and current_date < o.ends_on
        then (extract(epoch from o.ends_on::timestamptz) * 1000)::bigint
      end as "changesAt"
    from clinics c
    ${openRecordJoinSql}
    where c.id = ${p.clinicId}`,
);

/** A clinic with its owner, country, open subscription and active staff counts. */
const clinicDetailStatement = statement(
  'platform.clinics.get',
  clinicDetailRow,
  { prepared: true },
  (p: { clinicId: number }) => sql.fragment`
    select ${clinicDetailColumnsSql}
    from clinics c
    ${clinicDetailTailSql}
    where c.id = ${p.clinicId}`,
);

/** After a refused update: the clinic's version, to tell a stale version from a missing clinic. */
const clinicVersionStatement = statement(
  'platform.clinics.update:version',
  z.object({ version: z.number() }),
  { prepared: true },
  (p: { clinicId: number }) => sql.fragment`select version from clinics where id = ${p.clinicId}`,
);

const createInput = z.object({
  clinicName: clinicNameSchema,
  countryCode: countryCodeSchema,
  ownerPhoneNumber: phoneNumberSchema,
  clinicPhoneNumber: phoneNumberSchema,
  owner: z.object({
    email: emailSchema,
    fullName: fullNameSchema,
    password: passwordSchema.optional(),
  }),
});

const updateInput = z
  .object({
    version: z.number().int().positive().max(2_147_483_647),
    clinicName: clinicNameSchema.optional(),
    countryCode: countryCodeSchema.optional(),
    ownerPhoneNumber: phoneNumberSchema.optional(),
    clinicPhoneNumber: phoneNumberSchema.optional(),
  })
  .refine(
    (patch) =>
      patch.clinicName !== undefined ||
      patch.countryCode !== undefined ||
      patch.ownerPhoneNumber !== undefined ||
      patch.clinicPhoneNumber !== undefined,
    { message: 'names no field to change' },
  );

const updateOptions = z
  .object({ returning: z.enum(['detail', 'clinic']).default('detail') })
  .strict()
  .default({ returning: 'detail' });

// First page: the largest int4, at or above every id, so the SQL text never changes.
const firstPageMaxId = 2_147_483_647;

const clinicPageKey = z.tuple([idSchema]);

const listInput = z
  .object({
    limit: pageLimitSchema,
    cursor: text().max(512).optional(),
    search: text().trim().max(200).optional(),
    status: clinicStatusSchema.optional(),
    countryCode: countryCodeSchema.optional(),
    columns: z.enum(['summary', 'brief', 'contact']).default('summary'),
  })
  .default({ limit: 20, columns: 'summary' });

function toDetail(row: z.infer<typeof clinicDetailRow>): ClinicDetail {
  const {
    ownerEmail,
    ownerFullName,
    countryName,
    callingCode,
    activeDoctors,
    activeReceptionists,
    ...summary
  } = row;
  return {
    ...summary,
    owner: { id: summary.ownerUserId, email: ownerEmail, fullName: ownerFullName },
    country: { code: summary.countryCode, name: countryName, callingCode },
    staffCounts: { doctors: activeDoctors, receptionists: activeReceptionists },
  };
}

/** Builds the clinics repository (see {@link ClinicsRepository}). */
export function createClinicsRepository(context: Context): ClinicsRepository {
  const { db, readDb, statusCache, cursors } = context;

  const loadStatus = async (clinicId: number) => {
    const reading = await db.maybeOne(clinicStatusStatement({ clinicId }));
    if (!reading) throw new NotFoundError('clinic', clinicId);
    return reading;
  };

  return {
    create: async (input, options) => {
      const split = splitKey(input, options);
      const clinic = parseInput(createInput, split.input);
      const { owner } = clinic;
      const passwordHash = owner.password === undefined ? null : await hashPassword(owner.password);
      const params: NewClinicParams = {
        email: owner.email,
        fullName: owner.fullName,
        passwordHash,
        countryCode: clinic.countryCode,
        clinicName: clinic.clinicName,
        ownerPhoneNumber: clinic.ownerPhoneNumber,
        clinicPhoneNumber: clinic.clinicPhoneNumber,
      };
      let row: z.infer<typeof clinicDetailRow>;
      if (split.key === undefined) {
        row = await db.one(createClinicStatement(params));
      } else {
        // The password is not hashed into the request (an unsalted sha256 of it
        // would be a weaker copy than scrypt's): only whether one was given.
        const { password, ...rest } = owner;
        const call: KeyedCall = {
          keyScope: platformKeyScope,
          key: split.key,
          operation: 'clinics.create',
          requestHash: requestHasher('clinics.create')
            .add({ ...clinic, owner: { ...rest, hasPassword: password !== undefined } })
            .digest(),
          ttlMs: context.idempotencyTtlMs,
        };
        row = await runIdempotent(
          db,
          call,
          storedClinic,
          () => db.maybeOne(createClinicKeyedStatement({ ...params, ...call })),
          // The statement always returns a row (the new clinic or the live key's).
          () =>
            Promise.reject(
              new ConflictError('the clinic was not created; retry', 'idempotencyKey'),
            ),
        );
      }
      // A new id has no cached status; invalidating keeps the rule "every write" simple.
      statusCache.invalidate(row.id);
      return toDetail(row);
    },

    get: async (id) => {
      const clinicId = parseInput(idSchema, id);
      const row = await db.maybeOne(clinicDetailStatement({ clinicId }));
      if (!row) throw new NotFoundError('clinic', clinicId);
      return toDetail(row);
    },

    update: (async (id: number, patch: UpdateClinicInput, options?: UpdateClinicOptions) => {
      const clinicId = parseInput(idSchema, id);
      const change = parseInput(updateInput, patch);
      const { returning } = parseInput(updateOptions, options);
      const params = {
        clinicId,
        version: change.version,
        clinicName: change.clinicName ?? null,
        countryCode: change.countryCode ?? null,
        ownerPhoneNumber: change.ownerPhoneNumber ?? null,
        clinicPhoneNumber: change.clinicPhoneNumber ?? null,
      };
      if (returning === 'clinic') {
        const row = await db.maybeOne(updateClinicFieldsStatement(params));
        if (change.countryCode !== undefined) context.clinicFacts.invalidate(clinicId);
        if (row) return row;
      } else {
        const row = await db.maybeOne(updateClinicStatement(params));
        if (change.countryCode !== undefined) context.clinicFacts.invalidate(clinicId);
        if (row) return toDetail(row);
      }
      const current = await db.maybeOneFirst(clinicVersionStatement({ clinicId }));
      if (current === null) throw new NotFoundError('clinic', clinicId);
      throw new ConflictError(
        `clinic ${clinicId} is at version ${current}, not ${change.version}: read it again`,
        'version',
      );
    }) as ClinicsRepository['update'],

    list: (async (options?: ListClinicsOptions) => {
      const { limit, cursor, search, status, countryCode, columns } = parseInput(
        listInput,
        options,
      );
      // An empty search lists every clinic, so it is the same list as no search.
      const filters = [search || null, status ?? null, countryCode ?? null];
      const binding = cursorBinding('clinics.list', null, filters);
      const params = {
        maxId:
          cursor === undefined
            ? firstPageMaxId
            : cursors.decode(binding, cursor, clinicPageKey)[0] - 1,
        limit: limit + 1,
        status: status ?? null,
        countryCode: countryCode ?? null,
      };
      const statements = clinicLists[columns];
      const statement: QueryOf<ListRow> = search
        ? statements.search(params, search)
        : statements.page(params);
      // Either row has the id its cursor needs.
      const rows: readonly { id: number }[] = await readDb.any(
        statement as QueryOf<typeof clinicBriefRow>,
      );
      return toPage(
        rows,
        limit,
        (row) => cursors.encode(binding, [row.id]),
        (row) => row,
      );
    }) as ClinicsRepository['list'],

    status: async (id) => {
      const clinicId = parseInput(idSchema, id);
      return statusCache.read(clinicId, loadStatus);
    },
  };
}
