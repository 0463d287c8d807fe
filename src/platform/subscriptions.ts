import { z } from 'zod';
import type { Context } from '../context.js';
import { preparedStatement } from '../db/prepared.js';
import { sql } from '../db/sql.js';
import { NotFoundError } from '../errors.js';
import {
  type KeyedCall,
  requestHasher,
  runIdempotent,
  splitKey,
  storedResultSchema,
  type WriteOptions,
} from '../idempotency.js';
import { cursorBinding, type Page, pageLimitSchema, toPage } from '../paging.js';
import { idSchema, parseInput, text } from '../validation.js';
import { amountSchema, dateSchema, smallIdSchema } from './fields.js';
import {
  recordColumnsSql,
  recordStatusSchema,
  subscriptionRecordSchema,
} from './subscription-sql.js';
import {
  type ActivateParams,
  activateKeyedStatement,
  activateStatement,
  explainRefusal,
  type RenewParams,
  reactivateStatement,
  renewKeyedStatement,
  renewStatement,
  suspendStatement,
  type TransitionRule,
} from './subscription-transitions.js';

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
  /** Running active records of all clinics, soonest end first. One statement. */
  listActive(options?: { limit?: number; cursor?: string }): Promise<Page<ActiveSubscription>>;
  /**
   * Records whose period starts in the month, by start date, with the month's
   * count and total computed in the same statement.
   */
  list(options: ListByMonthOptions): Promise<MonthPage>;
  /** Groups aggregated in SQL, newest clinic first, newest group first within it. One statement. */
  groups(options?: ListGroupsOptions): Promise<Page<SubscriptionGroup>>;
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
  })
  .default({ limit: 20 });

const listByMonthInput = z.object({
  year: z.number().int().min(1900).max(9998),
  month: z.number().int().min(1).max(12),
  limit: pageLimitSchema,
  cursor: cursorText,
});

const groupsInput = z
  .object({
    limit: pageLimitSchema,
    cursor: cursorText,
    clinicId: idSchema.optional(),
  })
  .default({ limit: 20 });

const activeRow = subscriptionRecordSchema.extend({ clinicName: z.string() });

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

/**
 * Running active records, soonest end first, after the keyset. The partial
 * index (ends_on, clinic_id) where status = 'active' serves the filter, the
 * order and the keyset (one open record per clinic makes the key unique); the
 * clinic name is one pkey probe per returned row, never a hash of all clinics.
 */
const activePage = preparedStatement(
  'vz_platform_subscription_active_page',
  activeRow,
  (p: { afterEndsOn: string; afterClinic: number; limit: number }) => sql.fragment`
    select ${recordColumnsSql},
      (select c.clinic_name from clinics c where c.id = s.clinic_id) as "clinicName"
    from subscription_history s
    where s.status = 'active' and s.ends_on > current_date
      and (s.ends_on, s.clinic_id) > (${p.afterEndsOn}::date, ${p.afterClinic}::int)
    order by s.ends_on, s.clinic_id
    limit ${p.limit}`,
);

/**
 * Records starting in [from, to) after the keyset, with the month's count and
 * total. A date range on subscription_history_by_start (never extract()): the
 * totals scan the month, the page reads only limit rows past the cursor.
 */
const monthPage = preparedStatement(
  'vz_platform_subscription_month_page',
  monthRow,
  (p: {
    from: string;
    to: string;
    afterStart: string;
    afterClinic: number;
    afterId: number;
    limit: number;
  }) => sql.fragment`
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
      limit ${p.limit}
    ) page on true
    order by page."startsOn", page."clinicId", page.id`,
);

/** A record as stored under an idempotency key. */
const storedRecord = storedResultSchema(subscriptionRecordSchema);

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
          () => db.maybeOne(activateKeyedStatement({ ...params, ...call })),
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
      const records = await readDb.any(sql.prepared(
        'vz_platform_subscription_history',
        subscriptionRecordSchema,
      )`
        select ${recordColumnsSql}
        from subscription_history s
        where s.clinic_id = ${id}
        order by s.id desc`);
      if (records.length > 0) return records;
      const exists = await readDb.oneFirst(
        sql.prepared(
          'vz_platform_clinic_exists',
          z.object({ exists: z.boolean() }),
        )`select exists (select from clinics where id = ${id}) as exists`,
      );
      if (!exists) throw new NotFoundError('clinic', id);
      return records;
    },

    listActive: async (options) => {
      const { limit, cursor } = parseInput(listActiveInput, options);
      const binding = cursorBinding('subscriptions.listActive', null);
      const [afterEndsOn, afterClinic] =
        cursor === undefined ? [earliestDate, 0] : cursors.decode(binding, cursor, activeKey);
      const rows = await readDb.any(activePage({ afterEndsOn, afterClinic, limit: limit + 1 }));
      return toPage(
        rows,
        limit,
        (row) => cursors.encode(binding, [row.endsOn, row.clinicId]),
        (row) => row,
      );
    },

    list: async (options) => {
      const { year, month, limit, cursor } = parseInput(listByMonthInput, options);
      const { from, to } = monthRange(year, month);
      const binding = cursorBinding('subscriptions.list', null, [year, month]);
      const [afterStart, afterClinic, afterId] =
        cursor === undefined ? [earliestDate, 0, 0] : cursors.decode(binding, cursor, monthKey);
      const rows = await readDb.any(
        monthPage({ from, to, afterStart, afterClinic, afterId, limit: limit + 1 }),
      );
      const first = rows[0];
      const page = toPage(
        rows.filter(carriesRecord),
        limit,
        (row) => cursors.encode(binding, [row.startsOn, row.clinicId, row.id]),
        ({ count: _count, totalAmount: _total, ...record }) => record,
      );
      return { ...page, count: first?.count ?? 0, totalAmount: first?.totalAmount ?? '0.00' };
    },

    groups: async (options) => {
      const { limit, cursor, clinicId } = parseInput(groupsInput, options);
      const binding = cursorBinding('subscriptions.groups', clinicId ?? null);
      const [beforeClinic, beforeGroup] =
        cursor === undefined ? [aboveEveryId, 0] : cursors.decode(binding, cursor, groupKey);
      const clinicFilter =
        clinicId === undefined ? sql.fragment`` : sql.fragment`and s.clinic_id = ${clinicId}`;
      // Aggregated along subscription_history_group (clinic_id, group_id), page first:
      // the clinic names are joined to the limit + 1 groups only.
      const rows = await readDb.any(sql.prepared(
        clinicId === undefined
          ? 'vz_platform_subscription_groups'
          : 'vz_platform_subscription_groups_clinic',
        groupRow,
      )`
        select g."groupId", g."clinicId",
          (select c.clinic_name from clinics c where c.id = g."clinicId") as "clinicName",
          g."recordCount",
          g."totalAmount", g."firstStartsOn", g."latestStartsOn", g."latestEndsOn",
          case when g."latestStatus" = 'active' and g."latestEndsOn" <= current_date
            then 'expired' else g."latestStatus"::text end as status
        from (
          select s.group_id as "groupId", s.clinic_id as "clinicId",
            count(*)::int as "recordCount", sum(s.amount) as "totalAmount",
            min(s.starts_on) as "firstStartsOn", max(s.starts_on) as "latestStartsOn",
            max(s.ends_on) as "latestEndsOn",
            (array_agg(s.status order by s.id desc))[1] as "latestStatus"
          from subscription_history s
          where (s.clinic_id, s.group_id) < (${beforeClinic}::bigint, ${beforeGroup}::int)
            ${clinicFilter}
          group by s.clinic_id, s.group_id
          order by s.clinic_id desc, s.group_id desc
          limit ${limit + 1}
        ) g
        order by g."clinicId" desc, g."groupId" desc`);
      return toPage(
        rows,
        limit,
        (row) => cursors.encode(binding, [row.clinicId, row.groupId]),
        (row) => row,
      );
    },
  };
}
