import { z } from 'zod';
import type { ClinicStatus } from '../cache/clinic-status-cache.js';
import type { Db } from '../db/db.js';
import { preparedStatement } from '../db/prepared.js';
import { type FragmentSqlToken, sql } from '../db/sql.js';
import {
  ConflictError,
  IllegalTransitionError,
  NotFoundError,
  ValidationError,
} from '../errors.js';
import {
  type KeyedCall,
  keyCtes,
  keyedResultSelect,
  keyedRow,
  saveKeyCte,
} from '../idempotency.js';
import {
  clinicStatusSchema,
  derivedStatusSql,
  openRecordJoinSql,
  recordColumnsSql,
  returningRecordSql,
  subscriptionRecordSchema,
} from './subscription-sql.js';

/**
 * The four transitions of docs/subscriptions.md, each ONE statement whose
 * WHERE checks the state it starts from. When a statement changes nothing,
 * {@link explainRefusal} reads the state once more to throw the right error.
 */

/**
 * A new record as jsonb, as {@link subscriptionRecordSchema} reads it back:
 * the amount as text (a jsonb number would lose '49.00''s zeros).
 */
const storedRecordJson = sql.fragment`to_jsonb(r) || jsonb_build_object('amount', r.amount::text)`;

/** Parameters of {@link activateStatement}; null means "the default". */
export interface ActivateParams {
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
export const activateStatement = preparedStatement(
  'vz_platform_subscription_activate',
  subscriptionRecordSchema,
  (p: ActivateParams) => sql.fragment`
  with ${activateCtes(p, sql.fragment``)}
  ${activateInsert(p)}`,
);

/**
 * {@link activateStatement} with an idempotency key (src/idempotency.ts): the
 * same CTEs, gated on the key having no live row, the INSERT as a CTE, and the
 * key row with the new record as jsonb, in ONE statement.
 */
export const activateKeyedStatement = preparedStatement(
  'vz_platform_subscription_activate_keyed',
  keyedRow,
  (p: ActivateParams & KeyedCall) => sql.fragment`
  with ${keyCtes(p)}, ${activateCtes(p, sql.fragment` and not exists (select from idem_live)`)},
  idem_result as (
    ${activateInsert(p)}
  ), ${saveKeyCte(p, storedRecordJson, sql.fragment`idem_result r`)}
  ${keyedResultSelect(storedRecordJson, sql.fragment`idem_result r`)}`,
);

/** Parameters of {@link renewStatement}; null means "the default". */
export interface RenewParams {
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

/** The INSERT of {@link renewStatement}, after {@link renewCtes}. */
function renewInsert(p: RenewParams) {
  return sql.fragment`insert into subscription_history (clinic_id, group_id, subscription_type_id, payment_method_id,
    status, starts_on, ends_on, amount, activated_by)
  select ${p.clinicId}, r.group_id, t.id, ${p.paymentMethodId},
    'active', period.starts_on,
    (period.starts_on + make_interval(months => t.duration_months))::date,
    coalesce(${p.amount}::numeric, t.price), ${p.activatedBy}
  from renewed r
  join subscription_types t on t.id = coalesce(${p.subscriptionTypeId}::smallint, r.subscription_type_id)
  cross join lateral (select greatest(r.ends_on, current_date) as starts_on) period
  returning ${returningRecordSql}`;
}

/**
 * From an active open record (running or ended): it becomes 'renewed' and a
 * new active record continues its group, starting at its end, or today when
 * that end has passed. The type must be on sale, checked in the UPDATE so a
 * refused renewal changes nothing.
 */
export const renewStatement = preparedStatement(
  'vz_platform_subscription_renew',
  subscriptionRecordSchema,
  (p: RenewParams) => sql.fragment`
  with ${renewCtes(p, sql.fragment``)}
  ${renewInsert(p)}`,
);

/**
 * {@link renewStatement} with an idempotency key, built as
 * {@link activateKeyedStatement} is.
 */
export const renewKeyedStatement = preparedStatement(
  'vz_platform_subscription_renew_keyed',
  keyedRow,
  (p: RenewParams & KeyedCall) => sql.fragment`
  with ${keyCtes(p)}, ${renewCtes(p, sql.fragment` and not exists (select from idem_live)`)},
  idem_result as (
    ${renewInsert(p)}
  ), ${saveKeyCte(p, storedRecordJson, sql.fragment`idem_result r`)}
  ${keyedResultSelect(storedRecordJson, sql.fragment`idem_result r`)}`,
);

/** From 'active' (a running period): the open record becomes 'suspended'; a past reactivation is superseded. */
export const suspendStatement = preparedStatement(
  'vz_platform_subscription_suspend',
  subscriptionRecordSchema,
  (p: { clinicId: number; suspendedBy: number }) => sql.fragment`
  update subscription_history s
  set status = 'suspended', suspended_by = ${p.suspendedBy}, suspended_at = now(),
    reactivated_by = null, reactivated_at = null
  where s.clinic_id = ${p.clinicId} and s.status = 'active' and s.ends_on > current_date
  returning ${recordColumnsSql}`,
);

/** From 'suspended': the open record is active again; who suspended it stays on record. */
export const reactivateStatement = preparedStatement(
  'vz_platform_subscription_reactivate',
  subscriptionRecordSchema,
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

/** A transition's name and the states it starts from. */
export interface TransitionRule {
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
export async function explainRefusal(
  db: Db,
  rule: TransitionRule,
  clinicId: number,
  subscriptionTypeId: number | null,
  checksType: boolean,
): Promise<never> {
  const state = await db.maybeOne(sql.prepared(
    'vz_platform_subscription_state',
    transitionStateRow,
  )`
    select ${derivedStatusSql} as status, o.status as "openStatus",
      (select t.is_active from subscription_types t
       where t.id = coalesce(${subscriptionTypeId}::smallint, o.subscription_type_id)) as "typeOffered"
    from clinics c
    ${openRecordJoinSql}
    where c.id = ${clinicId}`);
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
