import { type LeanClient, type LeanRow, prepared } from './lean.js';

/** Keyset position in the active list: after (ends on, clinic id); the first page starts before every date. */
export interface ActiveKey {
  readonly endsOn: string;
  readonly clinicId: number;
}

/** The first page's key: before every real (ends on, clinic id). */
export const firstActiveKey: ActiveKey = { endsOn: '-infinity', clinicId: 0 };

/** A page of 20 running subscriptions by end date: clinic, its name, plan, end, amount. */
export function leanActiveList(client: LeanClient, after: ActiveKey): Promise<LeanRow[]> {
  return prepared(
    client,
    'lean_subscription_active',
    `select s.clinic_id, c.clinic_name, s.subscription_type_id, s.ends_on, s.amount
     from subscription_history s
     join clinics c on c.id = s.clinic_id
     where s.status = 'active' and s.ends_on > current_date
       and (s.ends_on, s.clinic_id) > ($1::date, $2::int)
     order by s.ends_on, s.clinic_id
     limit 21`,
    [after.endsOn, after.clinicId],
  );
}

/** The first page of subscription records starting in one month: the month's list, no totals. */
export function leanMonthList(client: LeanClient, year: number, month: number): Promise<LeanRow[]> {
  const day = (y: number, m: number) => `${y}-${String(m).padStart(2, '0')}-01`;
  const [from, to] = [day(year, month), month === 12 ? day(year + 1, 1) : day(year, month + 1)];
  return prepared(
    client,
    'lean_subscription_month',
    `select id, clinic_id, subscription_type_id, status, starts_on, ends_on, amount
     from subscription_history
     where starts_on >= $1::date and starts_on < $2::date
     order by starts_on, clinic_id, id
     limit 21`,
    [from, to],
  );
}

/**
 * Activates a plan for a clinic without an open record: closes a lapsed
 * 'active' record first (the one-open-record index), refuses a running or
 * suspended one; returns the new record's id.
 */
export function leanActivate(
  client: LeanClient,
  input: {
    clinicId: number;
    subscriptionTypeId: number;
    paymentMethodId: number;
    activatedBy: number;
  },
): Promise<LeanRow[]> {
  return prepared(
    client,
    'lean_subscription_activate',
    `with closed as (
       update subscription_history set status = 'expired'
       where clinic_id = $1 and status = 'active' and ends_on <= current_date
       returning id
     )
     insert into subscription_history (clinic_id, group_id, subscription_type_id, payment_method_id,
       status, starts_on, ends_on, amount, activated_by)
     select $1, nextval('subscription_group_seq'), t.id, $3, 'active', current_date,
       (current_date + make_interval(months => t.duration_months))::date, t.price, $4
     from subscription_types t
     where t.id = $2 and t.is_active
       and not exists (
         select from subscription_history o
         where o.clinic_id = $1 and (o.status = 'suspended' or (o.status = 'active' and o.ends_on > current_date)))
     returning id`,
    [input.clinicId, input.subscriptionTypeId, input.paymentMethodId, input.activatedBy],
  );
}

/** Suspends a clinic's running subscription; returns the record's id (none when not running). */
export function leanSuspend(client: LeanClient, clinicId: number, by: number): Promise<LeanRow[]> {
  return prepared(
    client,
    'lean_subscription_suspend',
    `update subscription_history
     set status = 'suspended', suspended_by = $2, suspended_at = now(),
       reactivated_by = null, reactivated_at = null
     where clinic_id = $1 and status = 'active' and ends_on > current_date
     returning id`,
    [clinicId, by],
  );
}

/** Reactivates a clinic's suspended subscription; returns the record's id. */
export function leanReactivate(
  client: LeanClient,
  clinicId: number,
  by: number,
): Promise<LeanRow[]> {
  return prepared(
    client,
    'lean_subscription_reactivate',
    `update subscription_history set status = 'active', reactivated_by = $2, reactivated_at = now()
     where clinic_id = $1 and status = 'suspended'
     returning id`,
    [clinicId, by],
  );
}
