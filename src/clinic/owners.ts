/**
 * The owners repository of one clinic: owners (pet owners, plain data) with
 * their pets. Every statement filters every tenant table it touches by the
 * clinic id parameter itself. SQL shapes and statement counts: docs/clinic-api.md.
 * The statements of `owners.import` and `owners.export` are in import.ts and
 * export.ts, the flows they belong to; shared fragments are in rows.ts.
 */

import { z } from 'zod';
import type { Queries } from '../db/db.js';
import { type FragmentSqlToken, limitSql, type QuerySqlToken, sql } from '../db/sql.js';
import { dynamicStatement, statement } from '../db/statement.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import {
  type KeyedCall,
  keyedRow,
  keyedTransaction,
  keyedWrite,
  requestHasher,
  runIdempotent,
  splitKey,
  storedResult,
  type WriteOptions,
} from '../idempotency.js';
import { containsPattern } from '../like.js';
import type { Page } from '../paging.js';
import { idSchema, parseInput } from '../validation.js';
import { formatCode, parseCode } from './codes.js';
import { type IdPaging, idPaging } from './cursor.js';
import { exportOwners } from './export.js';
import { type ImportResult, importOwners, type OwnerImportRow } from './import.js';
import {
  type CreateOwnerOptions,
  createOwnerOptionsSchema,
  type NewOwner,
  newOwnerSchema,
  type OwnerExportOptions,
  type OwnerPatch,
  type OwnerSearch,
  ownerPatchSchema,
  ownerSearchSchema,
  type PageRequest,
  pageSchema,
} from './inputs.js';
import {
  hasTrigram,
  type OwnerContact,
  type OwnerPageParams,
  type OwnerPhoneParams,
  type OwnerSummary,
  ownerContactOf,
  ownerContactRowSchema,
  ownerSummaryOf,
  ownerSummaryRowSchema,
  phoneRanges,
} from './owner-page.js';
import { type NewPetColumns, newPetColumns } from './pet-tuples.js';
import { nationalDigits, phoneDigitsOf } from './phone.js';
import {
  livePetsOfOwner,
  type Owner,
  type OwnerRef,
  ownerColumns,
  ownerRefSchema,
  ownerSchema,
  petColumns,
  petJson,
  petSchema,
  unnestNewPets,
} from './rows.js';
import type { ScopeContext } from './scope-context.js';

/** The owners (pet owners: plain data, no accounts) of one clinic, with their pets. */
export interface OwnersRepository {
  /**
   * Creates an owner with 0 to 50 pets in ONE statement (counter bump, owner,
   * pets), giving each its per-clinic code (`O-000123`, `P-000456`). Codes
   * never collide: the clinic's counter row serialises concurrent creates.
   *
   * With `idempotencyKey` (in the input, or as `options.idempotencyKey`) a
   * retry is safe: the same key again within `idempotencyTtlMs` returns the
   * first call's owner (as it was then) and writes nothing, also when the
   * calls run at once. Still ONE statement; the key is stored in it.
   *
   * With the `citus` option, a transaction of statements that Citus routes to
   * the clinic's shard as one task each (counter, owner, pets, the owner read
   * back; keyed: the key read first and saved last); same result and errors.
   *
   * With `returning: 'ref'`, the same writes return only the owner's id and
   * code ({@link OwnerRef}), and a key stores only those.
   *
   * @throws ValidationError naming the bad field (`pets.0.name`, `phoneNumber`, `idempotencyKey`...)
   * @throws ConflictError (`microchip`) when a microchip is already in this clinic
   * @throws ConflictError (`idempotencyKey`) when the key was used for another request
   *   (another input, or the other `returning`)
   * @throws NotFoundError (`clinic`) when the clinic does not exist
   */
  create(
    input: NewOwner & WriteOptions,
    options: CreateOwnerOptions & { returning: 'ref' },
  ): Promise<OwnerRef>;
  /** Creates an owner with its pets and returns it with them (the default `returning: 'owner'`); see above. */
  create(
    input: NewOwner & WriteOptions,
    options?: CreateOwnerOptions & { returning?: 'owner' },
  ): Promise<Owner>;
  /** Creates an owner with its pets, returning the owner or (`returning: 'ref'`) its reference; see above. */
  create(input: NewOwner & WriteOptions, options?: CreateOwnerOptions): Promise<Owner | OwnerRef>;
  /**
   * The owner with its live pets: ONE prepared statement.
   * @throws NotFoundError (`owner`) when absent, archived or of another clinic
   */
  get(id: number): Promise<Owner>;
  /**
   * A page of live owners, newest first, as summaries (with their live pets'
   * names when `withPetNames`; `get` gives the pets): ONE prepared statement,
   * keyset on id.
   * With `columns: 'contact'`, each owner is only id, code, name and phone.
   * @throws ValidationError (`cursor`) for a cursor not made by this list for this clinic
   */
  list(request: PageRequest & { columns: 'contact' }): Promise<Page<OwnerContact>>;
  /** A page of live owners as summaries (the default `columns: 'summary'`); see above. */
  list(request?: PageRequest): Promise<Page<OwnerSummary>>;
  /**
   * Live owners matching `name` (case-insensitive substring; `%`, `_`, `\`
   * literal), `phone` (national digits, prefix or suffix, at least 3 digits) or
   * `code` (`O-000123`, `o-123`, `123`), newest first, paged like `list`.
   * ONE prepared statement (each criterion has a plan that fits every term).
   * With `columns: 'contact'`, each owner is only id, code, name and phone.
   */
  search(request: OwnerSearch & { columns: 'contact' }): Promise<Page<OwnerContact>>;
  /** Live owners matching one criterion, as summaries (the default `columns: 'summary'`); see above. */
  search(request: OwnerSearch): Promise<Page<OwnerSummary>>;
  /**
   * Changes the given fields if `version` is still the owner's version; a new
   * phone number recomputes its digits. Returns the owner with its pets.
   * @throws ConflictError (`version`) when the owner changed since it was read
   * @throws NotFoundError (`owner`) when absent, archived or of another clinic
   */
  update(id: number, patch: OwnerPatch): Promise<Owner>;
  /**
   * Archives the owner and all its pets in ONE statement: they disappear from
   * get, list, search and export; their rows (and medical history) are kept.
   * @throws NotFoundError (`owner`) when absent, already archived or of another clinic
   */
  remove(id: number): Promise<void>;
  /**
   * Bulk import: validates EVERY row first and, if any is bad, throws one
   * ValidationError listing them all (fields like `12.pets.0.name`) and writes
   * nothing; else writes all rows in one transaction with bulk statements
   * (with the `citus` option, the pets name their owner by the id the owners'
   * insert returned, and a key is read first and saved last).
   * `options.idempotencyKey`: see `create`; the key commits with the rows,
   * and a retry returns the first import's counts and codes.
   * @throws ConflictError (`idempotencyKey`) when the key was used for another request
   */
  import(
    rows: Iterable<OwnerImportRow> | AsyncIterable<OwnerImportRow>,
    options?: WriteOptions,
  ): Promise<ImportResult>;
  /**
   * Streams every live owner with its pets, oldest first, read with a server
   * cursor in batches: memory stays bounded whatever the clinic's size. The
   * connection is released when the iteration ends, breaks or throws.
   * @throws UnavailableError when the connection is lost mid-stream
   */
  export(options?: OwnerExportOptions): AsyncGenerator<Owner, void, undefined>;
}

/*
 * The statements of the owners repository. Reads and creates are prepared (one
 * plan serves every value; the page shapes are split so that none can meet a
 * bad generic plan). Unnamed: `remove` and the read that explains a refused
 * update run far less often, and are not worth a prepared slot on every
 * connection; `update` is dynamic (its SET list follows the patch).
 */

/** Parameters of {@link createOwnerStatement}. */
interface NewOwnerParams extends NewPetColumns {
  readonly clinicId: number;
  readonly petCount: number;
  readonly fullName: string;
  readonly phoneNumber: string | null;
  readonly phoneDigits: string | null;
  readonly email: string | null;
  readonly address: string | null;
  readonly notes: string | null;
}

/**
 * The CTEs `counter`, `o` and `p` of an owner's create: bump the clinic's
 * counters, insert the owner and its pets. `counterRow` is the counter's
 * insert source: VALUES, or (keyed) a SELECT that yields nothing when the key
 * is live, so nothing is written. For a `ref` the inserts return only what it
 * is made of (the owner's id and seq; nothing of the pets).
 */
function createOwnerCtes(p: NewOwnerParams, counterRow: FragmentSqlToken, shape: CreateShape) {
  const ownerReturning =
    shape === 'ref' ? sql.fragment`returning id, seq` : sql.fragment`returning *`;
  const petReturning = shape === 'ref' ? sql.fragment`` : sql.fragment`returning *`;
  return sql.fragment`counter as (
      insert into clinic_counters as c (clinic_id, last_owner_seq, last_pet_seq)
      ${counterRow}
      on conflict (clinic_id) do update
        set last_owner_seq = c.last_owner_seq + 1,
            last_pet_seq = c.last_pet_seq + excluded.last_pet_seq
      returning c.last_owner_seq as owner_seq, c.last_pet_seq - ${p.petCount} as pet_base
    ), o as (
      insert into owners (clinic_id, seq, full_name, phone_number, phone_digits, email, address, notes)
      select ${p.clinicId}, counter.owner_seq, ${p.fullName}, ${p.phoneNumber}, ${p.phoneDigits},
        ${p.email}, ${p.address}, ${p.notes}
      from counter
      ${ownerReturning}
    ), p as (
      insert into pets (clinic_id, owner_id, seq, name, pet_type_id, breed, sex, birth_date, microchip)
      select ${p.clinicId}, o.id, counter.pet_base + t.n, t.name, t.pet_type_id, t.breed, t.sex,
        t.birth_date, t.microchip
      from o, counter, ${unnestNewPets(p)}
      ${petReturning}
    )`;
}

/** The new owner with its pets, from the CTEs `o` and `p`. */
const newOwnerSelect = sql.fragment`select ${ownerColumns},
      coalesce((select json_agg(${petJson} order by p.id) from p), '[]'::json) as pets
    from o`;

/**
 * Bumps the clinic's counters, inserts the owner and its pets, and returns the
 * owner with them: data-modifying CTEs, so all of it commits or none.
 */
const createOwnerStatement = statement(
  'clinic.owners.create',
  ownerSchema,
  { prepared: true },
  (p: NewOwnerParams) => sql.fragment`
    with ${createOwnerCtes(p, counterRow(p), 'owner')}
    ${newOwnerSelect}`,
);

/** The new owner's reference, from the CTE `o` of a `ref` create. */
const newOwnerRefSelect = sql.fragment`select o.id, vz_code('O', o.seq) as code from o`;

/** {@link createOwnerStatement} returning only the new owner's reference. */
const createOwnerRefStatement = statement(
  'clinic.owners.create:ref',
  ownerRefSchema,
  { prepared: true },
  (p: NewOwnerParams) => sql.fragment`
    with ${createOwnerCtes(p, counterRow(p), 'ref')}
    ${newOwnerRefSelect}`,
);

/**
 * {@link createOwnerStatement} with an idempotency key (src/idempotency.ts):
 * the same writes, gated on the key having no live row, plus the key row with
 * the owner as jsonb, in ONE statement.
 */
const createOwnerKeyedStatement = statement(
  'clinic.owners.create:keyed',
  keyedRow,
  { prepared: true },
  (p: NewOwnerParams & KeyedCall) =>
    keyedWrite(p, createOwnerCtes(p, keyedCounterRow(p), 'owner'), newOwnerSelect),
);

/** {@link createOwnerRefStatement} with an idempotency key: the key row stores the reference. */
const createOwnerRefKeyedStatement = statement(
  'clinic.owners.create:ref-keyed',
  keyedRow,
  { prepared: true },
  (p: NewOwnerParams & KeyedCall) =>
    keyedWrite(p, createOwnerCtes(p, keyedCounterRow(p), 'ref'), newOwnerRefSelect),
);

/** What a create's counter inserts: the first row of a clinic that has none. */
function counterRow(p: NewOwnerParams): FragmentSqlToken {
  return sql.fragment`values (${p.clinicId}, 1, ${p.petCount})`;
}

/** What a keyed create's counter inserts: the first row, unless the key is live. */
function keyedCounterRow(p: NewOwnerParams): FragmentSqlToken {
  return sql.fragment`select ${p.clinicId}, 1, ${p.petCount} where not exists (select from idem_live)`;
}

/*
 * Citus mode (the `citus` option, docs/scaling-out.md "Citus"): Citus 13 plans
 * each data-modifying CTE of a statement on its own, so the one-statement
 * create above needs 5 tasks there (the INSERTs from CTEs go through the
 * coordinator). In Citus mode the create is a transaction of the statements
 * below, each of which Citus routes to the clinic's shard as one task: the
 * counter bump, the owner, the pets, and the owner read back as `owners.get`
 * reads it. The same rows, the same result, the same errors.
 */

/** Citus mode: bumps the clinic's counters; the owner's seq and the pets' base. */
const citusOwnerCounterStatement = statement(
  'clinic.owners.create:citus-counter',
  z.object({ ownerSeq: z.number(), petBase: z.number() }),
  { prepared: true },
  (p: { clinicId: number; petCount: number }) => sql.fragment`
    insert into clinic_counters as c (clinic_id, last_owner_seq, last_pet_seq)
    values (${p.clinicId}, 1, ${p.petCount})
    on conflict (clinic_id) do update
      set last_owner_seq = c.last_owner_seq + 1,
          last_pet_seq = c.last_pet_seq + excluded.last_pet_seq
    returning c.last_owner_seq as "ownerSeq", c.last_pet_seq - ${p.petCount} as "petBase"`,
);

/** Citus mode: inserts the owner with its seq; its id. */
const citusOwnerInsertStatement = statement(
  'clinic.owners.create:citus-owner',
  z.object({ id: z.number() }),
  { prepared: true },
  (p: Omit<NewOwnerParams, keyof NewPetColumns | 'petCount'> & { seq: number }) => sql.fragment`
    insert into owners (clinic_id, seq, full_name, phone_number, phone_digits, email, address, notes)
    values (${p.clinicId}, ${p.seq}, ${p.fullName}, ${p.phoneNumber}, ${p.phoneDigits},
      ${p.email}, ${p.address}, ${p.notes})
    returning id`,
);

/**
 * Citus mode (also `pets.add`): inserts an owner's new pets, their seqs from
 * `petBase` + 1, and returns them (in no set order).
 */
export const citusPetsInsertStatement = statement(
  'clinic.owners.create:citus-pets',
  petSchema,
  { prepared: true },
  (p: NewPetColumns & { clinicId: number; ownerId: number; petBase: number }) => sql.fragment`
    insert into pets as p (clinic_id, owner_id, seq, name, pet_type_id, breed, sex, birth_date, microchip)
    select ${p.clinicId}, ${p.ownerId}::int, ${p.petBase}::int + t.n, t.name, t.pet_type_id, t.breed,
      t.sex, t.birth_date, t.microchip
    from ${unnestNewPets(p)}
    returning ${petColumns}`,
);

/** An owner as stored under an idempotency key. */
const storedOwner = storedResult(ownerSchema);

/** An owner's reference as stored under an idempotency key. */
const storedOwnerRef = storedResult(ownerRefSchema);

/** What a create returns (`returning`). */
type CreateShape = 'owner' | 'ref';

/** The create statements of each shape, plain and keyed, and how a key's stored result reads. */
const createStatements = {
  owner: { plain: createOwnerStatement, keyed: createOwnerKeyedStatement, stored: storedOwner },
  ref: {
    plain: createOwnerRefStatement,
    keyed: createOwnerRefKeyedStatement,
    stored: storedOwnerRef,
  },
} satisfies Record<CreateShape, unknown>;

/** A live owner of the clinic with its live pets. */
const ownerById = statement(
  'clinic.owners.get',
  ownerSchema,
  { prepared: true },
  (p: { clinicId: number; ownerId: number }) => sql.fragment`
    select ${ownerColumns}, ${livePetsOfOwner(p.clinicId)} as pets
    from owners o
    where o.clinic_id = ${p.clinicId} and o.id = ${p.ownerId} and o.archived_at is null`,
);

/** The summary columns of a page row: {@link ownerColumns} with the seq in place of the code (owner-page.ts). */
const ownerPageColumns = sql.fragment`
  o.id, o.seq, o.full_name as "fullName", o.phone_number as "phoneNumber", o.email, o.address,
  o.notes, o.version, o.created_at as "createdAt", o.updated_at as "updatedAt"`;

/** What a page row holds: the summary, with pet names, or the contact columns. */
type OwnerPageShape = 'summary' | 'pet-names' | 'contact';

/**
 * Live owners of the clinic matching `filter`, below id `bound`, newest first,
 * at most `limit`, as `shape`. Pets are
 * filtered by the clinic id parameter itself, not only through the owner.
 */
function ownerPage(p: OwnerPageParams, filter: FragmentSqlToken, shape: OwnerPageShape) {
  const columns = {
    summary: ownerPageColumns,
    'pet-names': sql.fragment`${ownerPageColumns},
      array(
        select p.name from pets p
        where p.clinic_id = ${p.clinicId} and p.owner_id = o.id and p.archived_at is null
        order by p.id
      ) as "petNames"`,
    contact: sql.fragment`o.id, o.seq, o.full_name as "fullName", o.phone_number as "phoneNumber"`,
  }[shape];
  return sql.fragment`
    select ${columns}
    from owners o
    where o.clinic_id = ${p.clinicId} and o.archived_at is null and o.id < ${p.bound}::int8
      and ${filter}
    order by o.id desc
    ${limitSql(p.limit)}`;
}

/**
 * The prepared statements of one page filter: summaries with and without pet
 * names (variant `pet-names`, after the filter's own variant) and contacts
 * (variant `contact`); and the call that picks a summary statement.
 */
function ownerPageStatements<Params extends OwnerPageParams>(
  name: string,
  filter: (p: Params) => FragmentSqlToken,
) {
  const variant = (shape: string) => `${name}${name.includes(':') ? '-' : ':'}${shape}`;
  const build = (shape: OwnerPageShape) => (p: Params) => ownerPage(p, filter(p), shape);
  const plain = statement(name, ownerSummaryRowSchema, { prepared: true }, build('summary'));
  const withPetNames = statement(
    variant('pet-names'),
    ownerSummaryRowSchema,
    { prepared: true },
    build('pet-names'),
  );
  return {
    summaries: (p: Params & { withPetNames: boolean }) =>
      p.withPetNames ? withPetNames(p) : plain(p),
    contacts: statement(
      variant('contact'),
      ownerContactRowSchema,
      { prepared: true },
      build('contact'),
    ),
  };
}

/** The statements of one page filter, as {@link ownerPageStatements} makes them. */
type OwnerPageStatements<Params extends OwnerPageParams> = ReturnType<
  typeof ownerPageStatements<Params>
>;

/** `owners.list`: every live owner. */
const ownerListPage = ownerPageStatements(
  'clinic.owners.list',
  (_p: OwnerPageParams) => sql.fragment`true`,
);

/**
 * A name with a trigram (3 letters or digits in a row): the trigram GIN index
 * on (clinic_id, full_name) finds it for any term, so the plan never depends
 * on the term and a prepared statement skips 0.15-0.2 ms of planning a call.
 */
const ownerNamePage = ownerPageStatements(
  'clinic.owners.search:name',
  (p: OwnerPageParams & { pattern: string }) => sql.fragment`o.full_name ilike ${p.pattern}`,
);

/**
 * A name without a trigram (under 3 characters, or split by spaces or
 * punctuation): the GIN index would read every entry (364 ms measured), so
 * the plan walks the clinic's owners newest first and stops at the page.
 * lower() LIKE lower() is what ILIKE does for UTF-8 text and keeps the planner
 * off the GIN index (0.57 ms per 1,500 owners, against 0.75 ms for ILIKE on
 * `full_name || ''`).
 */
const ownerNameWalkPage = ownerPageStatements(
  'clinic.owners.search:name-walk',
  (p: OwnerPageParams & { pattern: string }) =>
    sql.fragment`lower(o.full_name) like lower(${p.pattern})`,
);

/** An owner code: the unique (clinic_id, seq) key. */
const ownerCodePage = ownerPageStatements(
  'clinic.owners.search:code',
  (p: OwnerPageParams & { seq: number }) => sql.fragment`o.seq = ${p.seq}`,
);

/**
 * A phone number starting or ending with the digits typed, as key RANGES on
 * the two text_pattern_ops btrees (`owners_phone_prefix`, `owners_phone_suffix`)
 * rather than LIKE 'digits%': a LIKE pattern given as a parameter only becomes
 * an index range when the planner sees the value (a custom plan, planned on
 * every call: 0.13 ms against 0.07 for a prepared one), while `~>=~` and `~<~` are the
 * opclass's own operators, so the generic plan of this prepared statement is a
 * BitmapOr of both ranges for any digits. `~<~` compares bytes, so the upper
 * bound is the digits with the last one raised by one character ('9' -> ':').
 */
const ownerPhonePage = ownerPageStatements(
  'clinic.owners.search:phone',
  (p: OwnerPhoneParams) => sql.fragment`(
      (o.phone_digits ~>=~ ${p.from} and o.phone_digits ~<~ ${p.to})
      or (reverse(o.phone_digits) ~>=~ ${p.reversedFrom} and reverse(o.phone_digits) ~<~ ${p.reversedTo}))`,
);

/** Only after a refused update: the live owner's version, to tell a stale version from a missing owner. */
const ownerVersionStatement = statement(
  'clinic.owners.update:version',
  z.object({ version: z.number() }),
  { prepared: false },
  (p: { clinicId: number; ownerId: number }) => sql.fragment`
    select o.version from owners o
    where o.clinic_id = ${p.clinicId} and o.id = ${p.ownerId} and o.archived_at is null`,
);

/** Archives the owner and its live pets; no row when the owner is not there. */
const removeOwnerStatement = statement(
  'clinic.owners.remove',
  z.object({ archivedPets: z.number() }),
  { prepared: false },
  (p: { clinicId: number; ownerId: number }) => sql.fragment`
    with o as (
      update owners o
      set archived_at = now(), version = o.version + 1, updated_at = now()
      where o.clinic_id = ${p.clinicId} and o.id = ${p.ownerId} and o.archived_at is null
      returning o.id
    ), archived_pets as (
      update pets p
      set archived_at = now(), version = p.version + 1, updated_at = now()
      where p.clinic_id = ${p.clinicId} and p.owner_id = (select id from o)
        and p.archived_at is null
      returning p.id
    )
    select (select count(*) from archived_pets)::int as "archivedPets" from o`,
);

/**
 * Changes the columns of `sets` if `version` is still the owner's. Dynamic:
 * the SET list holds only the fields the patch names.
 */
function updateOwnerStatement(
  p: { clinicId: number; ownerId: number; version: number },
  sets: readonly FragmentSqlToken[],
) {
  return dynamicStatement(
    'clinic.owners.update',
    ownerSchema,
    sql.fragment`
      update owners o
      set ${sql.join(sets, sql.fragment`, `)}, version = o.version + 1, updated_at = now()
      where o.clinic_id = ${p.clinicId} and o.id = ${p.ownerId} and o.archived_at is null
        and o.version = ${p.version}
      returning ${ownerColumns}, ${livePetsOfOwner(p.clinicId)} as pets`,
  );
}

/** The owners repository of one clinic scope. */
export function createOwnersRepository(scope: ScopeContext): OwnersRepository {
  const { clinicId, context } = scope;

  /** Runs a page statement: `limit` owners at most as `toItem` makes them, with the next page's cursor. */
  async function page<Row extends { id: number }, Item>(
    paging: IdPaging,
    statement: QuerySqlToken<z.ZodType<Row>>,
    limit: number,
    toItem: (row: Row) => Item,
  ): Promise<Page<Item>> {
    return paging.page(await context.readDb.any(statement), limit, toItem);
  }

  /** Paging of owners.search, its cursors bound to the criterion and its value. */
  function searchPaging(query: { name?: string; phone?: string; code?: string }): IdPaging {
    const filter =
      query.name !== undefined
        ? ['name', query.name]
        : query.phone !== undefined
          ? ['phone', query.phone]
          : ['code', query.code];
    return idPaging(context.cursors, 'owners.search', clinicId, filter);
  }

  /** `list`, whichever columns it returns. */
  async function list(request?: PageRequest): Promise<Page<OwnerSummary | OwnerContact>> {
    const { limit, cursor, withPetNames, columns } = parseInput(pageSchema, request);
    const paging = idPaging(context.cursors, 'owners.list', clinicId);
    const p = { clinicId, bound: paging.bound(cursor), limit: limit + 1, withPetNames };
    await scope.facts();
    return columns === 'contact'
      ? page(paging, ownerListPage.contacts(p), limit, ownerContactOf)
      : page(paging, ownerListPage.summaries(p), limit, ownerSummaryOf);
  }

  /** `search`, whichever columns it returns. */
  async function search(request: OwnerSearch): Promise<Page<OwnerSummary | OwnerContact>> {
    const query = parseInput(ownerSearchSchema, request);
    const paging = searchPaging(query);
    const params = {
      clinicId,
      bound: paging.bound(query.cursor),
      limit: query.limit + 1,
      withPetNames: query.withPetNames,
    };
    const { callingCode } = await scope.facts();
    const run = <Params extends OwnerPageParams>(
      statements: OwnerPageStatements<Params>,
      p: Params & { withPetNames: boolean },
    ) =>
      query.columns === 'contact'
        ? page(paging, statements.contacts(p), query.limit, ownerContactOf)
        : page(paging, statements.summaries(p), query.limit, ownerSummaryOf);
    if (query.name !== undefined) {
      const pattern = containsPattern(query.name);
      return hasTrigram(query.name)
        ? run(ownerNamePage, { ...params, pattern })
        : run(ownerNameWalkPage, { ...params, pattern });
    }
    if (query.phone !== undefined) {
      const digits = nationalDigits(query.phone, callingCode);
      if (digits.length < 3) {
        throw new ValidationError([
          { field: 'phone', message: 'holds fewer than 3 digits after the country code' },
        ]);
      }
      return run(ownerPhonePage, { ...params, ...phoneRanges(digits) });
    }
    const seq = parseCode('O', query.code ?? '') ?? 0;
    return run(ownerCodePage, { ...params, seq });
  }

  /** `create`, whichever shape it returns. */
  async function create(
    input: NewOwner & WriteOptions,
    options?: CreateOwnerOptions,
  ): Promise<Owner | OwnerRef> {
    const split = splitKey(input, options, createOwnerOptionsSchema);
    const shape = split.options?.returning ?? 'owner';
    const owner = parseInput(newOwnerSchema, split.input);
    const { callingCode } = await scope.facts();
    const phoneNumber = owner.phoneNumber ?? null;
    const phoneDigits = phoneDigitsOf(phoneNumber, callingCode, 'phoneNumber');
    const petCount = owner.pets.length;
    const params: NewOwnerParams = {
      clinicId,
      petCount,
      fullName: owner.fullName,
      phoneNumber,
      phoneDigits,
      email: owner.email ?? null,
      address: owner.address ?? null,
      notes: owner.notes ?? null,
      ...newPetColumns(owner.pets),
    };
    const statements = createStatements[shape];
    /** Citus mode: the create as a transaction of one-task statements on `tx`. */
    const citusCreate = async (tx: Queries): Promise<Owner | OwnerRef> => {
      const { ownerSeq, petBase } = await tx.one(citusOwnerCounterStatement(params));
      const { id: ownerId } = await tx.one(citusOwnerInsertStatement({ ...params, seq: ownerSeq }));
      if (petCount > 0) await tx.query(citusPetsInsertStatement({ ...params, ownerId, petBase }));
      return shape === 'ref'
        ? { id: ownerId, code: formatCode('O', ownerSeq) }
        : tx.one(ownerById({ clinicId, ownerId }));
    };
    if (split.key === undefined) {
      return context.citus
        ? context.db.transaction(citusCreate)
        : context.db.one(statements.plain(params));
    }
    const hasher = requestHasher('owners.create').add(owner);
    // The default's hash is what it was before `returning` existed: its keys stay valid.
    if (shape === 'ref') hasher.add({ returning: shape });
    const call: KeyedCall = {
      keyScope: clinicId,
      key: split.key,
      operation: 'owners.create',
      requestHash: hasher.digest(),
      ttlMs: context.idempotencyTtlMs,
    };
    return runIdempotent<Owner | OwnerRef>(
      context.db,
      call,
      statements.stored,
      () =>
        context.citus
          ? context.db.transaction((tx) => keyedTransaction(tx, call, () => citusCreate(tx)))
          : context.db.maybeOne(statements.keyed({ ...params, ...call })),
      // The statement always returns a row (the new owner or the live key's).
      () => Promise.reject(new ConflictError('the owner was not created; retry', 'idempotencyKey')),
    );
  }

  return {
    // One body for every overload: `returning` picks the statements, and so the result type.
    create: create as OwnersRepository['create'],

    async get(id: number): Promise<Owner> {
      const ownerId = parseInput(idSchema, id, 'id');
      await scope.facts();
      const owner = await context.readDb.maybeOne(ownerById({ clinicId, ownerId }));
      if (!owner) throw new NotFoundError('owner', ownerId);
      return owner;
    },

    // One body for both overloads: `columns` picks the statement, and so the row type.
    list: list as OwnersRepository['list'],

    search: search as OwnersRepository['search'],

    async update(id: number, patch: OwnerPatch): Promise<Owner> {
      const ownerId = parseInput(idSchema, id, 'id');
      const changes = parseInput(ownerPatchSchema, patch);
      const { callingCode } = await scope.facts();
      const sets: FragmentSqlToken[] = [];
      if (changes.fullName !== undefined) sets.push(sql.fragment`full_name = ${changes.fullName}`);
      if (changes.phoneNumber !== undefined) {
        const digits = phoneDigitsOf(changes.phoneNumber, callingCode, 'phoneNumber');
        sets.push(sql.fragment`phone_number = ${changes.phoneNumber}, phone_digits = ${digits}`);
      }
      if (changes.email !== undefined) sets.push(sql.fragment`email = ${changes.email}`);
      if (changes.address !== undefined) sets.push(sql.fragment`address = ${changes.address}`);
      if (changes.notes !== undefined) sets.push(sql.fragment`notes = ${changes.notes}`);
      const updated = await context.db.maybeOne(
        updateOwnerStatement({ clinicId, ownerId, version: changes.version }, sets),
      );
      if (updated) return updated;
      // Only on failure: tell a stale version from an owner that is not there.
      const current = await context.db.maybeOneFirst(ownerVersionStatement({ clinicId, ownerId }));
      if (current === null) throw new NotFoundError('owner', ownerId);
      throw new ConflictError(
        `owner ${ownerId} is at version ${current}, not ${changes.version}: read it again`,
        'version',
      );
    },

    async remove(id: number): Promise<void> {
      const ownerId = parseInput(idSchema, id, 'id');
      await scope.facts();
      const archived = await context.db.maybeOne(removeOwnerStatement({ clinicId, ownerId }));
      if (!archived) throw new NotFoundError('owner', ownerId);
    },

    import(
      rows: Iterable<OwnerImportRow> | AsyncIterable<OwnerImportRow>,
      options?: WriteOptions,
    ): Promise<ImportResult> {
      return importOwners(scope, rows, options);
    },

    export(options?: OwnerExportOptions): AsyncGenerator<Owner, void, undefined> {
      return exportOwners(scope, options);
    },
  };
}
