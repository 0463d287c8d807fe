import { z } from 'zod';
import { type FragmentSqlToken, sql } from '../db/sql.js';

/**
 * The SQL fragments and row shapes the platform repositories share: a
 * clinic's derived subscription status, its open record as a nested object,
 * and a clinic's columns. Every statement is in its call's file (clinics.ts,
 * subscriptions.ts) and reads its fragments from here only. Clinic `c` is the
 * clinics table or a data-modifying CTE's output with the same columns; each
 * fragment names the aliases it expects. The state machine the status
 * implements is in docs/subscriptions.md.
 */

/** The stored status of one subscription record. */
export const recordStatusSchema = z.enum(['active', 'suspended', 'renewed', 'expired']);

/** A clinic's derived subscription status. */
export const clinicStatusSchema = z.enum(['active', 'suspended', 'expired', 'none']);

/**
 * The derived status of clinic `c` whose open record (status active or
 * suspended, at most one by the unique partial index) is `o`, or all nulls.
 * The history probe only runs for clinics without an open record. It is a
 * scalar subquery on purpose: PostgreSQL may turn a correlated EXISTS into a
 * hashed subplan that reads the whole table to answer one page (measured:
 * 6-15 ms for a page of 20 at 1000 clinics instead of 0.2 ms). `clinicId` is
 * the clinic's id as SQL: `c.id`, or the id parameter where `c` is a
 * data-modifying CTE (see {@link clinicDetailTail}).
 */
export function derivedStatus(clinicId: FragmentSqlToken): FragmentSqlToken {
  return sql.fragment`
  case
    when o.status = 'suspended' then 'suspended'
    when o.status = 'active' and current_date < o.ends_on then 'active'
    when o.status = 'active' then 'expired'
    when (select true from subscription_history h where h.clinic_id = ${clinicId} limit 1) then 'expired'
    else 'none'
  end`;
}

/** Clinic `c`'s id, as most statements correlate with it. */
const clinicIdColumn = sql.fragment`c.id`;

/** {@link derivedStatus} of clinic `c`. */
export const derivedStatusSql = derivedStatus(clinicIdColumn);

/**
 * Joins the open record of clinic `clinicId` as `o` (all nulls when there is
 * none). The unique partial index makes LIMIT 1 a no-op for the result; it is
 * there as a planner fence: the subquery cannot be flattened, so every plan
 * probes the index once per clinic row (a nested loop that stops with the
 * page) instead of hashing every open record of every clinic.
 */
export function openRecordJoin(clinicId: FragmentSqlToken): FragmentSqlToken {
  return sql.fragment`
  left join lateral (
    select s.id, s.group_id, s.subscription_type_id, s.payment_method_id, s.status,
      s.starts_on, s.ends_on, s.amount
    from subscription_history s
    where s.clinic_id = ${clinicId} and s.status in ('active', 'suspended')
    limit 1
  ) o on true`;
}

/** {@link openRecordJoin} of clinic `c`. */
export const openRecordJoinSql = openRecordJoin(clinicIdColumn);

/** The open record of a clinic, as returned inside clinic objects. */
export const openSubscriptionSchema = z.object({
  id: z.number(),
  groupId: z.number(),
  subscriptionTypeId: z.number(),
  paymentMethodId: z.number(),
  status: z.enum(['active', 'suspended']),
  startsOn: z.string(),
  endsOn: z.string(),
  amount: z.string(),
});

/**
 * `o` as a JSON object, or null. JSON keeps a nullable nested object in one
 * column; every value in it is already the documented JS type (dates as
 * 'YYYY-MM-DD', the amount as text so it stays exact).
 */
export const openSubscriptionJsonSql = sql.fragment`
  case when o.id is null then null else json_build_object(
    'id', o.id,
    'groupId', o.group_id,
    'subscriptionTypeId', o.subscription_type_id,
    'paymentMethodId', o.payment_method_id,
    'status', o.status,
    'startsOn', o.starts_on,
    'endsOn', o.ends_on,
    'amount', o.amount::text
  ) end`;

/** A clinic as it appears in lists: its columns, derived status and open record. */
export const clinicSummaryRow = z.object({
  id: z.number(),
  clinicName: z.string(),
  countryCode: z.string(),
  ownerUserId: z.number(),
  ownerPhoneNumber: z.string(),
  clinicPhoneNumber: z.string(),
  version: z.number(),
  createdAt: z.date(),
  updatedAt: z.date(),
  status: clinicStatusSchema,
  subscription: openSubscriptionSchema.nullable(),
});

/** The summary plus owner, country and staff counts, flat as SQL returns them. */
export const clinicDetailRow = clinicSummaryRow.extend({
  ownerEmail: z.string(),
  ownerFullName: z.string(),
  countryName: z.string(),
  callingCode: z.string(),
  activeDoctors: z.number(),
  activeReceptionists: z.number(),
});

/** The clinic's own columns, given clinic `c`. */
export const clinicFieldsColumnsSql = sql.fragment`
  c.id, c.clinic_name as "clinicName", c.country_code as "countryCode",
  c.owner_user_id as "ownerUserId", c.owner_phone_number as "ownerPhoneNumber",
  c.clinic_phone_number as "clinicPhoneNumber", c.version,
  c.created_at as "createdAt", c.updated_at as "updatedAt"`;

/** {@link clinicSummaryRow}'s columns, `clinicId` as in {@link derivedStatus}; needs `c` and `o`. */
export function clinicSummaryColumns(clinicId: FragmentSqlToken): FragmentSqlToken {
  return sql.fragment`
  ${clinicFieldsColumnsSql},
  ${derivedStatus(clinicId)} as status,
  ${openSubscriptionJsonSql} as subscription`;
}

/** {@link clinicSummaryRow}'s columns; needs `c` and `openRecordJoinSql`'s `o`. */
export const clinicSummaryColumnsSql = clinicSummaryColumns(clinicIdColumn);

/**
 * Everything after `select` for {@link clinicDetailRow}, given clinic `c` (a
 * table or CTE name is interpolated by the caller before `c`). Where `c` is a
 * data-modifying CTE, `clinicId` must be the id parameter, not `c.id`: Citus
 * plans the CTE apart and joins a distributed table to its result only when
 * that table is filtered by the constant ("complex joins are only supported
 * when all distributed tables are co-located and joined on their
 * distribution columns").
 */
export function clinicDetailTail(clinicId: FragmentSqlToken): FragmentSqlToken {
  return sql.fragment`
  join users u on u.id = c.owner_user_id
  join countries co on co.code = c.country_code
  ${openRecordJoin(clinicId)}
  cross join lateral (
    select count(*) filter (where cs.role = 'doctor')::int as doctors,
           count(*) filter (where cs.role = 'receptionist')::int as receptionists
    from clinic_staff cs
    where cs.clinic_id = ${clinicId} and cs.is_active
  ) sc`;
}

/** {@link clinicDetailTail} of clinic `c`. */
export const clinicDetailTailSql = clinicDetailTail(clinicIdColumn);

/** {@link clinicDetailRow}'s columns, `clinicId` as in {@link clinicDetailTail}; needs its aliases. */
export function clinicDetailColumns(clinicId: FragmentSqlToken): FragmentSqlToken {
  return sql.fragment`
  ${clinicSummaryColumns(clinicId)},
  u.email as "ownerEmail", u.full_name as "ownerFullName",
  co.name as "countryName", co.calling_code as "callingCode",
  sc.doctors as "activeDoctors", sc.receptionists as "activeReceptionists"`;
}

/** {@link clinicDetailRow}'s columns; needs `c`, `u`, `co`, `o`, `sc` of {@link clinicDetailTailSql}. */
export const clinicDetailColumnsSql = clinicDetailColumns(clinicIdColumn);
