import { z } from 'zod';
import { sql } from '../db/sql.js';

/**
 * SQL pieces shared by the clinics and subscriptions repositories: the derived
 * clinic status, the open record as a nested object, a record's columns. Each
 * fragment names the aliases it expects; the state machine they implement is
 * in docs/subscriptions.md.
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
 * 6-15 ms for a page of 20 at 1000 clinics instead of 0.2 ms).
 */
export const derivedStatusSql = sql.fragment`
  case
    when o.status = 'suspended' then 'suspended'
    when o.status = 'active' and current_date < o.ends_on then 'active'
    when o.status = 'active' then 'expired'
    when (select true from subscription_history h where h.clinic_id = c.id limit 1) then 'expired'
    else 'none'
  end`;

/**
 * Joins clinic `c`'s open record as `o` (all nulls when there is none). The
 * unique partial index makes LIMIT 1 a no-op for the result; it is there as a
 * planner fence: the subquery cannot be flattened, so every plan probes the
 * index once per clinic row (a nested loop that stops with the page) instead
 * of hashing every open record of every clinic.
 */
export const openRecordJoinSql = sql.fragment`
  left join lateral (
    select s.id, s.group_id, s.subscription_type_id, s.payment_method_id, s.status,
      s.starts_on, s.ends_on, s.amount
    from subscription_history s
    where s.clinic_id = c.id and s.status in ('active', 'suspended')
    limit 1
  ) o on true`;

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

/** One row of subscription_history. */
export const subscriptionRecordSchema = z.object({
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
export const recordColumnsSql = sql.fragment`
  s.id, s.clinic_id as "clinicId", s.group_id as "groupId",
  s.subscription_type_id as "subscriptionTypeId", s.payment_method_id as "paymentMethodId",
  s.status, s.starts_on as "startsOn", s.ends_on as "endsOn", s.amount,
  s.activated_by as "activatedBy", s.activated_at as "activatedAt",
  s.suspended_by as "suspendedBy", s.suspended_at as "suspendedAt",
  s.reactivated_by as "reactivatedBy", s.reactivated_at as "reactivatedAt"`;

/** The same columns from a data-modifying CTE's `returning` (no table alias). */
export const returningRecordSql = sql.fragment`
  id, clinic_id as "clinicId", group_id as "groupId",
  subscription_type_id as "subscriptionTypeId", payment_method_id as "paymentMethodId",
  status, starts_on as "startsOn", ends_on as "endsOn", amount,
  activated_by as "activatedBy", activated_at as "activatedAt",
  suspended_by as "suspendedBy", suspended_at as "suspendedAt",
  reactivated_by as "reactivatedBy", reactivated_at as "reactivatedAt"`;
