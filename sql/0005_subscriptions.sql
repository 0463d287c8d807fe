-- Subscriptions the platform sells to clinics. A group is a chain of renewals.
-- State machine: docs/subscriptions.md.

create type subscription_status as enum ('active', 'suspended', 'renewed', 'expired');

create sequence subscription_group_seq as integer;

create table subscription_history (
  clinic_id integer not null references clinics (id),
  id integer generated always as identity,
  group_id integer not null,
  subscription_type_id smallint not null references subscription_types (id),
  payment_method_id smallint not null references payment_methods (id),
  status subscription_status not null,
  starts_on date not null,
  ends_on date not null,
  amount numeric(10, 2) not null check (amount >= 0),
  activated_by integer not null references users (id),
  activated_at timestamptz not null default now(),
  suspended_by integer references users (id),
  suspended_at timestamptz,
  -- The last reactivation of a suspended record; the suspension marks stay as history.
  reactivated_by integer references users (id),
  reactivated_at timestamptz,
  primary key (clinic_id, id),
  constraint subscription_history_ends_after_start check (ends_on > starts_on),
  constraint subscription_history_suspension_complete check ((suspended_by is null) = (suspended_at is null)),
  constraint subscription_history_reactivation_complete check ((reactivated_by is null) = (reactivated_at is null))
);

-- At most one open (active or suspended) subscription per clinic.
create unique index subscription_history_one_open_per_clinic
  on subscription_history (clinic_id) where status in ('active', 'suspended');
-- The seed's (clinic, status) index: a clinic's history and current record.
create index subscription_history_clinic_status on subscription_history (clinic_id, status);
create index subscription_history_group on subscription_history (clinic_id, group_id);
-- The seed's (status, end_date): active subscriptions, soonest expiry first.
create index subscription_history_active_by_end
  on subscription_history (ends_on, clinic_id) where status = 'active';
-- The seed's (activation_date, clinic): subscriptions by month as a date range.
create index subscription_history_by_start on subscription_history (starts_on, clinic_id);
