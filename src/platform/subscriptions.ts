import { z } from 'zod';
import type { ClinicStatus } from '../cache/clinic-status-cache.js';
import type { Context } from '../context.js';
import type { Db } from '../db/db.js';
import { type FragmentSqlToken, limitSql, sql } from '../db/sql.js';
import { statement } from '../db/statement.js';
import {
  ConflictError,
  IllegalTransitionError,
  NotFoundError,
  ValidationError,
} from '../errors.js';
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
import { cursorBinding, type Page, pageLimitSchema, toPage } from '../paging.js';
import { idSchema, parseInput, text } from '../validation.js';
import {
  clinicStatusSchema,
  derivedStatusSql,
  openRecordJoinSql,
  recordStatusSchema,
} from './clinic-sql.js';
import { amountSchema, dateSchema, smallIdSchema } from './fields.js';

/** One row of a clinic's subscription history (a period of a group). */
export interface SubscriptionRecord {
  readonly id: number;
  readonly clinicId: number;
  /** The chain of renewals this period belongs to. */
  readonly groupId: number;
  readonly subscriptionTypeId: number;
  readonly paymentMethodId: number;
  readonly status: 'active' | 'suspended' | 'expired' | 'renewed';
  /** 'YYYY-MM-DD' */
  readonly startsOn: string;
  /** 'YYYY-MM-DD', the last day of the period. */
  readonly endsOn: string;
  /** Exact decimal string. */
  readonly amount: string;
  readonly activatedBy: number;
  readonly activatedAt: Date;
  readonly suspendedBy: number | null;
  readonly suspendedAt: Date | null;
  readonly reactivatedBy: number | null;
  readonly reactivatedAt: Date | null;
}

/** A running active record with its clinic's name, as {@link SubscriptionsRepository.listActive} lists it. */
export interface ActiveSubscription extends SubscriptionRecord {
  readonly clinicName: string;
}

/**
 * The lean row of the active list (`listActive({ columns: 'brief' })`): which
 * clinic, which plan, until when, for how much; no audit columns.
 */
export interface ActiveSubscriptionBrief {
  /** The record's id. */
  readonly id: number;
  readonly clinicId: number;
  readonly clinicName: string;
  readonly subscriptionTypeId: number;
  /** 'YYYY-MM-DD', the last day of the period. */
  readonly endsOn: string;
  /** Exact decimal string. */
  readonly amount: string;
}

/** Options of {@link SubscriptionsRepository.listActive}. */
export interface ListActiveOptions {
  /** Rows per page, 1-100. @default 20 */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
  /**
   * `'record'`: every {@link ActiveSubscription} column. `'brief'`: an
   * {@link ActiveSubscriptionBrief} (id, clinic, its name, plan, end, amount),
   * what a list of running subscriptions shows. Pages of both shapes share
   * their cursors. @default 'record'
   */
  columns?: 'record' | 'brief';
}

/** A month of records, with totals over the whole month (not just the page). */
export interface MonthPage extends Page<SubscriptionRecord> {
  /** Records whose period starts in the month. */
  readonly count: number;
  /** Sum of their amounts, an exact decimal string such as `'1234.00'`. */
  readonly totalAmount: string;
}

/** One subscription group (a chain of renewals), aggregated in SQL. */
export interface SubscriptionGroup {
  readonly groupId: number;
  readonly clinicId: number;
  readonly clinicName: string;
  readonly recordCount: number;
  /** Sum of the group's amounts, an exact decimal string. */
  readonly totalAmount: string;
  readonly firstStartsOn: string;
  readonly latestStartsOn: string;
  readonly latestEndsOn: string;
  /** The newest record's status, 'expired' when it is active but its period has ended. */
  readonly status: 'active' | 'suspended' | 'renewed' | 'expired';
}

/** Input of {@link SubscriptionsRepository.activate}. */
export interface ActivateInput {
  clinicId: number;
  subscriptionTypeId: number;
  paymentMethodId: number;
  /** The user (usually a platform admin) recording the payment. */
  activatedBy: number;
  /** First day of the period, `YYYY-MM-DD`. @default today in the database's time zone */
  startsOn?: string;
  /** Amount paid (decimal string or number, 2 decimals at most). @default the type's price */
  amount?: string | number;
  /** See {@link WriteOptions}; may also be given as `options.idempotencyKey`. */
  idempotencyKey?: string;
}

/** Input of {@link SubscriptionsRepository.renew}. */
export interface RenewInput {
  clinicId: number;
  /** The next period's type. @default the renewed record's type */
  subscriptionTypeId?: number;
  paymentMethodId: number;
  activatedBy: number;
  /** @default the type's price */
  amount?: string | number;
  /** See {@link WriteOptions}; may also be given as `options.idempotencyKey`. */
  idempotencyKey?: string;
}

/** Options of {@link SubscriptionsRepository.list}. */
export interface ListByMonthOptions {
  year: number;
  /** 1 to 12. */
  month: number;
  /** @default 20, at most 100 */
  limit?: number;
  cursor?: string;
  /**
   * `false`: the page only, without the month's `count` and `totalAmount`.
   * The totals read every record of the month: at 10,000 clinics about
   * 10,000 index entries a call (docs/capacity-planning.md). @default true
   */
  totals?: boolean;
}

/** Options of {@link SubscriptionsRepository.groups}. */
export interface ListGroupsOptions {
  /** @default 20, at most 100 */
  limit?: number;
  cursor?: string;
  /** Only this clinic's groups. */
  clinicId?: number;
}

/**
 * The subscriptions clinics buy, and their state machine (docs/subscriptions.md).
 * Every transition is one statement that checks its starting state in its
 * WHERE; a refused one costs a second statement to name the reason. Every
 * transition invalidates the clinic's cached status.
 */
export interface SubscriptionsRepository {
  /**
   * Starts a new group with an active period, from status 'none' or 'expired'
   * (an ended open record is closed as 'expired' in the same statement).
   * With `idempotencyKey` (in the input or `options`; scoped to the clinic) a
   * retry is safe: the same key again within `idempotencyTtlMs` returns the
   * first call's record (as it was then) and changes nothing, also when the
   * calls run at once. Still ONE statement; the key is stored in it. A refused
   * call stores no key.
   * @throws IllegalTransitionError from 'active' or 'suspended'.
   * @throws ConflictError field `subscription` when a concurrent activation won.
   * @throws NotFoundError('clinic' | 'user', id).
   * @throws ValidationError naming the field (`subscriptionTypeId` for a type not on sale, `paymentMethodId`).
   * @throws ConflictError field `idempotencyKey` when the key was used for another request.
   */
  activate(input: ActivateInput, options?: WriteOptions): Promise<SubscriptionRecord>;
  /**
   * Continues the group of the clinic's active open record: that record becomes
   * 'renewed', the new period starts at its end (from 'active') or today (from
   * 'expired' while the ended record is still open). `idempotencyKey`: as in
   * `activate`.
   * @throws IllegalTransitionError from 'none', 'suspended', or 'expired' with no open record.
   * @throws ConflictError field `subscription` when a concurrent transition won.
   * @throws ConflictError field `idempotencyKey` when the key was used for another request.
   * @throws NotFoundError('clinic' | 'user', id).
   * @throws ValidationError naming the field.
   */
  renew(input: RenewInput, options?: WriteOptions): Promise<SubscriptionRecord>;
  /**
   * 'active' -> 'suspended'; records who and when.
   * @throws IllegalTransitionError from any other status.
   * @throws NotFoundError('clinic' | 'user', id).
   */
  suspend(clinicId: number, input: { suspendedBy: number }): Promise<SubscriptionRecord>;
  /**
   * 'suspended' -> active again (the period is not extended; see docs/subscriptions.md).
   * @throws IllegalTransitionError from any other status.
   * @throws NotFoundError('clinic', id).
   */
  reactivate(clinicId: number, input: { reactivatedBy: number }): Promise<SubscriptionRecord>;
  /**
   * Every record of the clinic, newest record first (id descending). One statement (a second
   * one only when there are none, to tell an unknown clinic).
   * @throws NotFoundError('clinic', id).
   */
  history(clinicId: number): Promise<readonly SubscriptionRecord[]>;
  /**
   * Running active records of all clinics, soonest end first, as
   * {@link ActiveSubscriptionBrief} rows. One statement.
   */
  listActive(
    options: ListActiveOptions & { columns: 'brief' },
  ): Promise<Page<ActiveSubscriptionBrief>>;
  /** Running active records of all clinics, soonest end first. One statement. */
  listActive(options?: ListActiveOptions): Promise<Page<ActiveSubscription>>;
  /**
   * Records whose period starts in the month, by start date, with the month's
   * count and total computed in the same statement. One statement.
   * With `totals: false`, the page alone (what a month filter needs).
   */
  list(options: ListByMonthOptions & { totals: false }): Promise<Page<SubscriptionRecord>>;
  /** The month's page with its count and total (the default `totals: true`); see above. */
  list(options: ListByMonthOptions): Promise<MonthPage>;
  /** Groups aggregated in SQL, newest clinic first, newest group first within it. One statement. */
  groups(options?: ListGroupsOptions): Promise<Page<SubscriptionGroup>>;
}

/*
 * The statements of the subscriptions repository, all prepared: each plan
 * serves every value. The four transitions of docs/subscriptions.md are each
 * ONE statement whose WHERE checks the state it starts from; when one changes
 * nothing, explainRefusal reads the state once more to throw the right error.
 */

/** One row of subscription_history. */
const subscriptionRecordSchema = z.object({
  id: z.number(),
  clinicId: z.number(),
  groupId: z.number(),
  subscriptionTypeId: z.number(),
  paymentMethodId: z.number(),
  status: recordStatusSchema,
  startsOn: z.string(),
  endsOn: z.string(),
  amount: z.string(),
  activatedBy: z.number(),
  activatedAt: z.date(),
  suspendedBy: z.number().nullable(),
  suspendedAt: z.date().nullable(),
  reactivatedBy: z.number().nullable(),
  reactivatedAt: z.date().nullable(),
});

/** The columns of {@link subscriptionRecordSchema} from subscription_history `s`. */
const recordColumnsSql = sql.fragment`
  s.id, s.clinic_id as "clinicId", s.group_id as "groupId",
  s.subscription_type_id as "subscriptionTypeId", s.payment_method_id as "paymentMethodId",
  s.status, s.starts_on as "startsOn", s.ends_on as "endsOn", s.amount,
  s.activated_by as "activatedBy", s.activated_at as "activatedAt",
  s.suspended_by as "suspendedBy", s.suspended_at as "suspendedAt",
  s.reactivated_by as "reactivatedBy", s.reactivated_at as "reactivatedAt"`;

/** The same columns from a data-modifying CTE's `returning` (no table alias). */
const returningRecordSql = sql.fragment`
  id, clinic_id as "clinicId", group_id as "groupId",
  subscription_type_id as "subscriptionTypeId", payment_method_id as "paymentMethodId",
  status, starts_on as "startsOn", ends_on as "endsOn", amount,
  activated_by as "activatedBy", activated_at as "activatedAt",
  suspended_by as "suspendedBy", suspended_at as "suspendedAt",
  reactivated_by as "reactivatedBy", reactivated_at as "reactivatedAt"`;

const activeRow = subscriptionRecordSchema.extend({ clinicName: z.string() });

const activeBriefRow = z.object({
  id: z.number(),
  clinicId: z.number(),
  clinicName: z.string(),
  subscriptionTypeId: z.number(),
  endsOn: z.string(),
  amount: z.string(),
});

// The page columns of `list` come from a LEFT JOIN LATERAL, so all are null
// when the month's page is empty (the totals row is still there).
const monthRow = z.object({
  count: z.number(),
  totalAmount: z.string(),
  id: z.number().nullable(),
  clinicId: z.number().nullable(),
  groupId: z.number().nullable(),
  subscriptionTypeId: z.number().nullable(),
  paymentMethodId: z.number().nullable(),
  status: recordStatusSchema.nullable(),
  startsOn: z.string().nullable(),
  endsOn: z.string().nullable(),
  amount: z.string().nullable(),
  activatedBy: z.number().nullable(),
  activatedAt: z.date().nullable(),
  suspendedBy: z.number().nullable(),
  suspendedAt: z.date().nullable(),
});
type MonthRow = z.infer<typeof monthRow>;

/**
 * True when the row carries a record. The lateral's columns are all null or
 * all one row's, and the record's NOT NULL columns are then non-null.
 */
function carriesRecord(row: MonthRow): row is MonthRow & SubscriptionRecord {
  return row.id !== null;
}

const groupRow = z.object({
  groupId: z.number(),
  clinicId: z.number(),
  clinicName: z.string(),
  recordCount: z.number(),
  totalAmount: z.string(),
  firstStartsOn: z.string(),
  latestStartsOn: z.string(),
  latestEndsOn: z.string(),
  status: recordStatusSchema,
});

/**
 * A new record as jsonb, as {@link subscriptionRecordSchema} reads it back:
 * the amount as text (a jsonb number would lose '49.00''s zeros).
 */
const storedRecordJson = sql.fragment`to_jsonb(r) || jsonb_build_object('amount', r.amount::text)`;

/** Parameters of {@link activateStatement}; null means "the default". */
interface ActivateParams {
  readonly clinicId: number;
  readonly subscriptionTypeId: number;
  readonly paymentMethodId: number;
  readonly activatedBy: number;
  readonly startsOn: string | null;
  readonly amount: string | null;
}

/**
 * The CTEs of {@link activateStatement}; `offeredGate` ends the type's filter
 * (empty, or keyed: nothing is offered, so nothing changes, when the key is live).
 */
function activateCtes(p: ActivateParams, offeredGate: FragmentSqlToken) {
  // `select 1`, not `select`, in the EXISTS over CTEs: Citus 13 plans such a CTE
  // apart and cannot read back a zero-column result (docs/scaling-out.md, "Citus").
  return sql.fragment`live as (
    select o.status, o.ends_on
    from subscription_history o
    where o.clinic_id = ${p.clinicId} and o.status in ('active', 'suspended')
  ), offered as (
    select t.id, t.duration_months, t.price
    from subscription_types t
    where t.id = ${p.subscriptionTypeId} and t.is_active${offeredGate}
  ), closed as (
    update subscription_history s set status = 'expired'
    where s.clinic_id = ${p.clinicId} and s.status = 'active' and s.ends_on <= current_date
      and exists (select 1 from offered)
    returning s.id
  ), closing as (
    select count(*) as closed from closed
  ), period as (
    select coalesce(${p.startsOn}::date, current_date) as starts_on
  )`;
}

/** The INSERT of {@link activateStatement}, after {@link activateCtes}. */
function activateInsert(p: ActivateParams) {
  return sql.fragment`insert into subscription_history (clinic_id, group_id, subscription_type_id, payment_method_id,
    status, starts_on, ends_on, amount, activated_by)
  select ${p.clinicId}, nextval('subscription_group_seq'), t.id, ${p.paymentMethodId},
    'active', period.starts_on,
    (period.starts_on + make_interval(months => t.duration_months))::date,
    coalesce(${p.amount}::numeric, t.price), ${p.activatedBy}
  from offered t, closing, period
  where not exists (
    select 1 from live where live.status = 'suspended' or live.ends_on > current_date)
  returning ${returningRecordSql}`;
}

/**
 * From 'none' or 'expired': closes an ended open record (-> 'expired') and
 * inserts an active record in a new group. The INSERT reads `closing` (a count
 * over the UPDATE's output), so the UPDATE has run when the row is inserted and
 * the unique partial index sees the old record closed. Under a race the losers
 * hit that index: 23505, a ConflictError on field `subscription`.
 */
const activateStatement = statement(
  'platform.subscriptions.activate',
  subscriptionRecordSchema,
  { prepared: true },
  (p: ActivateParams) => sql.fragment`
  with ${activateCtes(p, sql.fragment``)}
  ${activateInsert(p)}`,
);

/**
 * {@link activateStatement} with an idempotency key (src/idempotency.ts): the
 * same CTEs, gated on the key having no live row, the INSERT as a CTE, and the
 * key row with the new record as jsonb, in ONE statement.
 */
const activateKeyedStatement = statement(
  'platform.subscriptions.activate:keyed',
  keyedRow,
  { prepared: true },
  (p: ActivateParams & KeyedCall) =>
    keyedWrite(
      p,
      activateCtes(p, sql.fragment` and not exists (select from idem_live)`),
      activateInsert(p),
      storedRecordJson,
    ),
);

/** Parameters of {@link renewStatement}; null means "the default". */
interface RenewParams {
  readonly clinicId: number;
  readonly subscriptionTypeId: number | null;
  readonly paymentMethodId: number;
  readonly activatedBy: number;
  readonly amount: string | null;
}

/**
 * The CTE `renewed` of {@link renewStatement}; `renewGate` ends its filter
 * (empty, or keyed: nothing is renewed, so nothing changes, when the key is live).
 */
function renewCtes(p: RenewParams, renewGate: FragmentSqlToken) {
  return sql.fragment`renewed as (
    update subscription_history s set status = 'renewed'
    where s.clinic_id = ${p.clinicId} and s.status = 'active'
      and exists (
        select from subscription_types t
        where t.id = coalesce(${p.subscriptionTypeId}::smallint, s.subscription_type_id)
          and t.is_active)${renewGate}
    returning s.group_id, s.subscription_type_id, s.ends_on
  )`;
}

/**
 * The INSERT of {@link renewStatement}, after {@link renewCtes}. The start
 * date is written out twice rather than computed in a FROM-less subquery:
 * Citus cannot push down such a subquery with `current_date` ("cannot push
 * down this subquery").
 */
function renewInsert(p: RenewParams) {
  return sql.fragment`insert into subscription_history (clinic_id, group_id, subscription_type_id, payment_method_id,
    status, starts_on, ends_on, amount, activated_by)
  select ${p.clinicId}, r.group_id, t.id, ${p.paymentMethodId},
    'active', greatest(r.ends_on, current_date),
    (greatest(r.ends_on, current_date) + make_interval(months => t.duration_months))::date,
    coalesce(${p.amount}::numeric, t.price), ${p.activatedBy}
  from renewed r
  join subscription_types t on t.id = coalesce(${p.subscriptionTypeId}::smallint, r.subscription_type_id)
  returning ${returningRecordSql}`;
}

/**
 * From an active open record (running or ended): it becomes 'renewed' and a
 * new active record continues its group, starting at its end, or today when
 * that end has passed. The type must be on sale, checked in the UPDATE so a
 * refused renewal changes nothing.
 */
const renewStatement = statement(
  'platform.subscriptions.renew',
  subscriptionRecordSchema,
  { prepared: true },
  (p: RenewParams) => sql.fragment`
  with ${renewCtes(p, sql.fragment``)}
  ${renewInsert(p)}`,
);

/**
 * {@link renewStatement} with an idempotency key, built as
 * {@link activateKeyedStatement} is.
 */
const renewKeyedStatement = statement(
  'platform.subscriptions.renew:keyed',
  keyedRow,
  { prepared: true },
  (p: RenewParams & KeyedCall) =>
    keyedWrite(
      p,
      renewCtes(p, sql.fragment` and not exists (select from idem_live)`),
      renewInsert(p),
      storedRecordJson,
    ),
);

/** From 'active' (a running period): the open record becomes 'suspended'; a past reactivation is superseded. */
const suspendStatement = statement(
  'platform.subscriptions.suspend',
  subscriptionRecordSchema,
  { prepared: true },
  (p: { clinicId: number; suspendedBy: number }) => sql.fragment`
  update subscription_history s
  set status = 'suspended', suspended_by = ${p.suspendedBy}, suspended_at = now(),
    reactivated_by = null, reactivated_at = null
  where s.clinic_id = ${p.clinicId} and s.status = 'active' and s.ends_on > current_date
  returning ${recordColumnsSql}`,
);

/** From 'suspended': the open record is active again; who suspended it stays on record. */
const reactivateStatement = statement(
  'platform.subscriptions.reactivate',
  subscriptionRecordSchema,
  { prepared: true },
  (p: { clinicId: number; reactivatedBy: number }) => sql.fragment`
  update subscription_history s
  set status = 'active', reactivated_by = ${p.reactivatedBy}, reactivated_at = now()
  where s.clinic_id = ${p.clinicId} and s.status = 'suspended'
  returning ${recordColumnsSql}`,
);

const transitionStateRow = z.object({
  status: clinicStatusSchema,
  openStatus: z.enum(['active', 'suspended']).nullable(),
  typeOffered: z.boolean().nullable(),
});

/**
 * After a transition changed nothing: the clinic's derived status, its open
 * record's status, and whether the type asked for (or the open record's) is on
 * sale. Shared by the four transitions.
 */
const transitionStateStatement = statement(
  'platform.subscriptions.explainRefusal',
  transitionStateRow,
  { prepared: true },
  (p: { clinicId: number; subscriptionTypeId: number | null }) => sql.fragment`
    select ${derivedStatusSql} as status, o.status as "openStatus",
      (select t.is_active from subscription_types t
       where t.id = coalesce(${p.subscriptionTypeId}::smallint, o.subscription_type_id)) as "typeOffered"
    from clinics c
    ${openRecordJoinSql}
    where c.id = ${p.clinicId}`,
);

/** What an active page binds: the keyset after which it starts, the rows to read. */
interface ActivePageParams {
  readonly afterEndsOn: string;
  readonly afterClinic: number;
  readonly limit: number;
}

/**
 * Running active records, soonest end first, after the keyset. The partial
 * index (ends_on, clinic_id) where status = 'active' serves the filter, the
 * order and the keyset (one open record per clinic makes the key unique); the
 * clinic name is one pkey probe per returned row, never a hash of all clinics.
 * The page's columns are `columns` (of subscription_history `s`) and "clinicName".
 */
function activePageSql(p: ActivePageParams, columns: FragmentSqlToken) {
  return sql.fragment`
    select ${columns},
      (select c.clinic_name from clinics c where c.id = s.clinic_id) as "clinicName"
    from subscription_history s
    where s.status = 'active' and s.ends_on > current_date
      and (s.ends_on, s.clinic_id) > (${p.afterEndsOn}::date, ${p.afterClinic}::int)
    order by s.ends_on, s.clinic_id
    ${limitSql(p.limit)}`;
}

const activePage = statement(
  'platform.subscriptions.listActive',
  activeRow,
  { prepared: true },
  (p: ActivePageParams) => activePageSql(p, recordColumnsSql),
);

/** {@link activePage} with the brief columns: 6 where the record has 16. */
const activeBriefPage = statement(
  'platform.subscriptions.listActive:brief',
  activeBriefRow,
  { prepared: true },
  (p: ActivePageParams) =>
    activePageSql(
      p,
      sql.fragment`s.id, s.clinic_id as "clinicId",
        s.subscription_type_id as "subscriptionTypeId", s.ends_on as "endsOn", s.amount`,
    ),
);

/** What a month's page binds: the month as [from, to), the keyset after which it starts, the rows to read. */
interface MonthPageParams {
  readonly from: string;
  readonly to: string;
  readonly afterStart: string;
  readonly afterClinic: number;
  readonly afterId: number;
  readonly limit: number;
}

/**
 * Records starting in [from, to) after the keyset, with the month's count and
 * total. A date range on subscription_history_by_start (never extract()): the
 * totals scan the month, the page reads only limit rows past the cursor.
 */
const monthPage = statement(
  'platform.subscriptions.list',
  monthRow,
  { prepared: true },
  (p: MonthPageParams) => sql.fragment`
    select totals.count, totals."totalAmount", page.*
    from (
      select count(*)::int as count, coalesce(sum(s.amount), 0)::numeric(14, 2) as "totalAmount"
      from subscription_history s
      where s.starts_on >= ${p.from}::date and s.starts_on < ${p.to}::date
    ) totals
    left join lateral (
      select ${recordColumnsSql}
      from subscription_history s
      where s.starts_on >= ${p.from}::date and s.starts_on < ${p.to}::date
        and (s.starts_on, s.clinic_id, s.id) > (${p.afterStart}::date, ${p.afterClinic}::int, ${p.afterId}::int)
      order by s.starts_on, s.clinic_id, s.id
      ${limitSql(p.limit)}
    ) page on true
    order by page."startsOn", page."clinicId", page.id`,
);

/** {@link monthPage} without the month's totals: only limit rows past the cursor are read. */
const monthRecords = statement(
  'platform.subscriptions.list:records',
  subscriptionRecordSchema,
  { prepared: true },
  (p: MonthPageParams) => sql.fragment`
    select ${recordColumnsSql}
    from subscription_history s
    where s.starts_on >= ${p.from}::date and s.starts_on < ${p.to}::date
      and (s.starts_on, s.clinic_id, s.id) > (${p.afterStart}::date, ${p.afterClinic}::int, ${p.afterId}::int)
    order by s.starts_on, s.clinic_id, s.id
    ${limitSql(p.limit)}`,
);

/** Every record of the clinic, newest first. */
const historyStatement = statement(
  'platform.subscriptions.history',
  subscriptionRecordSchema,
  { prepared: true },
  (p: { clinicId: number }) => sql.fragment`
    select ${recordColumnsSql}
    from subscription_history s
    where s.clinic_id = ${p.clinicId}
    order by s.id desc`,
);

/** Only when a clinic has no records: whether it exists at all. */
const clinicExistsStatement = statement(
  'platform.subscriptions.history:clinic-exists',
  z.object({ exists: z.boolean() }),
  { prepared: true },
  (p: { clinicId: number }) =>
    sql.fragment`select exists (select from clinics where id = ${p.clinicId}) as exists`,
);

/** What a groups page binds: the keyset bound and the rows to read. */
interface GroupPageParams {
  readonly beforeClinic: number;
  readonly beforeGroup: number;
  readonly limit: number;
}

/**
 * Groups below the keyset, aggregated along subscription_history_group
 * (clinic_id, group_id), page first: the clinic names are joined to the
 * limit + 1 groups only: the name's subquery is in the aggregate's own
 * select list, which runs per group the LIMIT takes. (Over the page, as a
 * correlated subquery, Citus refuses it: "correlated subqueries are not
 * supported when the FROM clause contains a CTE or subquery"; as a join,
 * PostgreSQL hashed every clinic for a page: 1.0-1.2 ms against 0.15-0.18 ms
 * at 5,000 clinics.) `clinicFilter` narrows it to one clinic.
 */
function groupPage(p: GroupPageParams, clinicFilter: FragmentSqlToken) {
  return sql.fragment`
    select g."groupId", g."clinicId", g."clinicName",
      g."recordCount",
      g."totalAmount", g."firstStartsOn", g."latestStartsOn", g."latestEndsOn",
      case when g."latestStatus" = 'active' and g."latestEndsOn" <= current_date
        then 'expired' else g."latestStatus"::text end as status
    from (
      select s.group_id as "groupId", s.clinic_id as "clinicId",
        (select c.clinic_name from clinics c where c.id = s.clinic_id) as "clinicName",
        count(*)::int as "recordCount", sum(s.amount) as "totalAmount",
        min(s.starts_on) as "firstStartsOn", max(s.starts_on) as "latestStartsOn",
        max(s.ends_on) as "latestEndsOn",
        (array_agg(s.status order by s.id desc))[1] as "latestStatus"
      from subscription_history s
      where (s.clinic_id, s.group_id) < (${p.beforeClinic}::bigint, ${p.beforeGroup}::int)
        ${clinicFilter}
      group by s.clinic_id, s.group_id
      order by s.clinic_id desc, s.group_id desc
      ${limitSql(p.limit)}
    ) g
    order by g."clinicId" desc, g."groupId" desc`;
}

/** Groups of every clinic. */
const groupsStatement = statement(
  'platform.subscriptions.groups',
  groupRow,
  { prepared: true },
  (p: GroupPageParams) => groupPage(p, sql.fragment``),
);

/** Groups of one clinic. */
const clinicGroupsStatement = statement(
  'platform.subscriptions.groups:clinic',
  groupRow,
  { prepared: true },
  (p: GroupPageParams & { clinicId: number }) =>
    groupPage(p, sql.fragment`and s.clinic_id = ${p.clinicId}`),
);

/** A transition's name and the states it starts from. */
interface TransitionRule {
  readonly name: 'activate' | 'renew' | 'suspend' | 'reactivate';
  readonly allowed: (state: {
    status: ClinicStatus;
    openStatus: 'active' | 'suspended' | null;
  }) => boolean;
}

/**
 * Called when a transition statement changed nothing: reads the clinic's state
 * (one statement) and throws NotFoundError for an unknown clinic,
 * IllegalTransitionError naming the state when the rule refuses it,
 * ValidationError on `subscriptionTypeId` for a type not on sale, and else a
 * ConflictError: the state changed between the two statements.
 */
async function explainRefusal(
  db: Db,
  rule: TransitionRule,
  clinicId: number,
  subscriptionTypeId: number | null,
  checksType: boolean,
): Promise<never> {
  const state = await db.maybeOne(transitionStateStatement({ clinicId, subscriptionTypeId }));
  if (!state) throw new NotFoundError('clinic', clinicId);
  if (!rule.allowed(state)) throw new IllegalTransitionError(rule.name, state.status);
  if (checksType && state.typeOffered !== true) {
    throw new ValidationError([
      { field: 'subscriptionTypeId', message: 'is not a subscription type on sale' },
    ]);
  }
  throw new ConflictError(
    `the subscription of clinic ${clinicId} changed during ${rule.name}; read it again and retry`,
    'subscription',
  );
}

const activateInput = z.object({
  clinicId: idSchema,
  subscriptionTypeId: smallIdSchema,
  paymentMethodId: smallIdSchema,
  activatedBy: idSchema,
  startsOn: dateSchema.optional(),
  amount: amountSchema.optional(),
});

const renewInput = z.object({
  clinicId: idSchema,
  subscriptionTypeId: smallIdSchema.optional(),
  paymentMethodId: smallIdSchema,
  activatedBy: idSchema,
  amount: amountSchema.optional(),
});

const suspendInput = z.object({ clinicId: idSchema, suspendedBy: idSchema });
const reactivateInput = z.object({ clinicId: idSchema, reactivatedBy: idSchema });

const cursorText = text().max(512).optional();

// Sort keys in the cursors of each list, checked again after the tag.
const activeKey = z.tuple([dateSchema, idSchema]);
const monthKey = z.tuple([dateSchema, idSchema, idSchema]);
const groupKey = z.tuple([idSchema, idSchema]);

const listActiveInput = z
  .object({
    limit: pageLimitSchema,
    cursor: cursorText,
    columns: z.enum(['record', 'brief']).default('record'),
  })
  .default({ limit: 20, columns: 'record' });

const listByMonthInput = z.object({
  year: z.number().int().min(1900).max(9998),
  month: z.number().int().min(1).max(12),
  limit: pageLimitSchema,
  cursor: cursorText,
  totals: z.boolean().default(true),
});

const groupsInput = z
  .object({
    limit: pageLimitSchema,
    cursor: cursorText,
    clinicId: idSchema.optional(),
  })
  .default({ limit: 20 });

const activateRule: TransitionRule = {
  name: 'activate',
  allowed: ({ status }) => status === 'none' || status === 'expired',
};
const renewRule: TransitionRule = {
  name: 'renew',
  allowed: ({ openStatus }) => openStatus === 'active',
};
const suspendRule: TransitionRule = {
  name: 'suspend',
  allowed: ({ status }) => status === 'active',
};
const reactivateRule: TransitionRule = {
  name: 'reactivate',
  allowed: ({ status }) => status === 'suspended',
};

// Keyset bounds that sort before every real key, so a first page uses the same SQL text.
const earliestDate = '0001-01-01';
const aboveEveryId = 2_147_483_648;

/** The first day of the month and of the next, as 'YYYY-MM-DD'. */
function monthRange(year: number, month: number): { from: string; to: string } {
  const pad = (value: number, width: number) => String(value).padStart(width, '0');
  const nextYear = month === 12 ? year + 1 : year;
  const nextMonth = month === 12 ? 1 : month + 1;
  return {
    from: `${pad(year, 4)}-${pad(month, 2)}-01`,
    to: `${pad(nextYear, 4)}-${pad(nextMonth, 2)}-01`,
  };
}

/** A record as stored under an idempotency key. */
const storedRecord = storedResult(subscriptionRecordSchema);

/** Builds the subscriptions repository (see {@link SubscriptionsRepository}). */
export function createSubscriptionsRepository(context: Context): SubscriptionsRepository {
  const { db, readDb, statusCache, cursors } = context;

  /** A transition's key, scoped to its clinic, with the hash of its parsed input. */
  const keyedCall = (
    clinicId: number,
    key: string,
    operation: string,
    input: object,
  ): KeyedCall => ({
    keyScope: clinicId,
    key,
    operation,
    requestHash: requestHasher(operation).add(input).digest(),
    ttlMs: context.idempotencyTtlMs,
  });

  /** `listActive`, of records or of brief rows. */
  async function listActive(
    options?: ListActiveOptions,
  ): Promise<Page<ActiveSubscription> | Page<ActiveSubscriptionBrief>> {
    const { limit, cursor, columns } = parseInput(listActiveInput, options);
    const binding = cursorBinding('subscriptions.listActive', null);
    const [afterEndsOn, afterClinic] =
      cursor === undefined ? [earliestDate, 0] : cursors.decode(binding, cursor, activeKey);
    const bounds = { afterEndsOn, afterClinic, limit: limit + 1 };
    const encode = (row: { endsOn: string; clinicId: number }) =>
      cursors.encode(binding, [row.endsOn, row.clinicId]);
    if (columns === 'brief')
      return toPage(await readDb.any(activeBriefPage(bounds)), limit, encode, (row) => row);
    return toPage(await readDb.any(activePage(bounds)), limit, encode, (row) => row);
  }

  /** `list`, with or without the month's totals. */
  async function listByMonth(
    options: ListByMonthOptions,
  ): Promise<MonthPage | Page<SubscriptionRecord>> {
    const { year, month, limit, cursor, totals } = parseInput(listByMonthInput, options);
    const { from, to } = monthRange(year, month);
    const binding = cursorBinding('subscriptions.list', null, [year, month]);
    const [afterStart, afterClinic, afterId] =
      // A first page starts at the month's first day, not at earliestDate: the
      // keyset comparison becomes the index scan's start key, and from year 1 the
      // scan read every index page before the month (394 pages, 20 ms, for a
      // month at 10,000 clinics; 4 pages from the month's start).
      cursor === undefined ? [from, 0, 0] : cursors.decode(binding, cursor, monthKey);
    const bounds = { from, to, afterStart, afterClinic, afterId, limit: limit + 1 };
    const encode = (row: { startsOn: string; clinicId: number; id: number }) =>
      cursors.encode(binding, [row.startsOn, row.clinicId, row.id]);
    if (!totals) return toPage(await readDb.any(monthRecords(bounds)), limit, encode, (row) => row);
    const rows = await readDb.any(monthPage(bounds));
    const first = rows[0];
    const page = toPage(
      rows.filter(carriesRecord),
      limit,
      encode,
      ({ count: _count, totalAmount: _total, ...record }) => record,
    );
    return { ...page, count: first?.count ?? 0, totalAmount: first?.totalAmount ?? '0.00' };
  }

  return {
    activate: async (input, options) => {
      const split = splitKey(input, options);
      const p = parseInput(activateInput, split.input);
      const params: ActivateParams = {
        clinicId: p.clinicId,
        subscriptionTypeId: p.subscriptionTypeId,
        paymentMethodId: p.paymentMethodId,
        activatedBy: p.activatedBy,
        startsOn: p.startsOn ?? null,
        amount: p.amount ?? null,
      };
      const refused = () =>
        explainRefusal(db, activateRule, p.clinicId, p.subscriptionTypeId, true);
      try {
        if (split.key === undefined) {
          return (await db.maybeOne(activateStatement(params))) ?? (await refused());
        }
        const call = keyedCall(p.clinicId, split.key, 'subscriptions.activate', p);
        return await runIdempotent(
          db,
          call,
          storedRecord,
          () =>
            // Citus mode: on a cluster with workers, Citus runs the keyed statement's
            // INSERT (a CTE) on the shard's node, where neither the group sequence
            // nor an int identity can be drawn; the plain INSERT runs through the
            // coordinator.
            context.citus
              ? db.transaction((tx) =>
                  keyedTransaction(tx, call, () => tx.maybeOne(activateStatement(params))),
                )
              : db.maybeOne(activateKeyedStatement({ ...params, ...call })),
          refused,
        );
      } finally {
        statusCache.invalidate(p.clinicId);
      }
    },

    renew: async (input, options) => {
      const split = splitKey(input, options);
      const p = parseInput(renewInput, split.input);
      const subscriptionTypeId = p.subscriptionTypeId ?? null;
      const params: RenewParams = {
        clinicId: p.clinicId,
        subscriptionTypeId,
        paymentMethodId: p.paymentMethodId,
        activatedBy: p.activatedBy,
        amount: p.amount ?? null,
      };
      const refused = () => explainRefusal(db, renewRule, p.clinicId, subscriptionTypeId, true);
      try {
        if (split.key === undefined) {
          return (await db.maybeOne(renewStatement(params))) ?? (await refused());
        }
        const call = keyedCall(p.clinicId, split.key, 'subscriptions.renew', p);
        return await runIdempotent(
          db,
          call,
          storedRecord,
          () => db.maybeOne(renewKeyedStatement({ ...params, ...call })),
          refused,
        );
      } finally {
        statusCache.invalidate(p.clinicId);
      }
    },

    suspend: async (clinicId, input) => {
      const p = parseInput(suspendInput, { ...input, clinicId });
      try {
        const record = await db.maybeOne(suspendStatement(p));
        return record ?? (await explainRefusal(db, suspendRule, p.clinicId, null, false));
      } finally {
        statusCache.invalidate(p.clinicId);
      }
    },

    reactivate: async (clinicId, input) => {
      const p = parseInput(reactivateInput, { ...input, clinicId });
      try {
        const record = await db.maybeOne(reactivateStatement(p));
        return record ?? (await explainRefusal(db, reactivateRule, p.clinicId, null, false));
      } finally {
        statusCache.invalidate(p.clinicId);
      }
    },

    history: async (clinicId) => {
      const id = parseInput(idSchema, clinicId);
      const records = await readDb.any(historyStatement({ clinicId: id }));
      if (records.length > 0) return records;
      const exists = await readDb.oneFirst(clinicExistsStatement({ clinicId: id }));
      if (!exists) throw new NotFoundError('clinic', id);
      return records;
    },

    // One body for both overloads: `columns` picks the statement, and so the row type.
    listActive: listActive as SubscriptionsRepository['listActive'],

    // One body for both overloads: `totals` picks the statement, and so the result type.
    list: listByMonth as SubscriptionsRepository['list'],

    groups: async (options) => {
      const { limit, cursor, clinicId } = parseInput(groupsInput, options);
      const binding = cursorBinding('subscriptions.groups', clinicId ?? null);
      const [beforeClinic, beforeGroup] =
        cursor === undefined ? [aboveEveryId, 0] : cursors.decode(binding, cursor, groupKey);
      const page = { beforeClinic, beforeGroup, limit: limit + 1 };
      const rows = await readDb.any(
        clinicId === undefined
          ? groupsStatement(page)
          : clinicGroupsStatement({ ...page, clinicId }),
      );
      return toPage(
        rows,
        limit,
        (row) => cursors.encode(binding, [row.clinicId, row.groupId]),
        (row) => row,
      );
    },
  };
}
