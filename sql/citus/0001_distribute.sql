-- Citus mode (migrate({ citus: true }), docs/scaling-out.md "Citus"): run on
-- the coordinator after sql/0001-0010, in one transaction, once. It turns the
-- plain tables into Citus tables:
--   reference tables (a full copy on every node): countries, pet_types,
--     subscription_types, payment_methods, users;
--   distributed by clinic id, all co-located (shard N of every table holds the
--     same clinics): clinics by id; clinic_counters, clinic_staff, owners, pets,
--     subscription_history, idempotency_keys by clinic_id.
-- Every primary key and unique index of a distributed table already includes
-- its distribution column (test/schema/citus.test.ts checks it), so no key is
-- widened. Citus refuses to distribute a table that has foreign keys to or from
-- plain tables, so every key is dropped first and added back, unchanged, once
-- both sides are Citus tables. vetalyze_migrations stays a plain table on the
-- coordinator.

-- A transaction that distributes several tables must open its shards one
-- connection at a time (else Citus refuses the later DDL of the transaction).
set local citus.multi_shard_modify_mode to 'sequential';

-- Citus refuses to distribute a table with triggers (unless
-- citus.enable_unsafe_triggers, which would fire them on the shards' nodes,
-- where no app instance LISTENs). Cache invalidation across app instances
-- therefore rests on the caches' TTLs in Citus mode (docs/scaling-out.md).
drop trigger subscription_history_notify_status on subscription_history;
drop trigger clinics_notify_facts on clinics;

alter table clinics
  drop constraint clinics_owner_user_id_fkey,
  drop constraint clinics_country_code_fkey;
alter table clinic_staff
  drop constraint clinic_staff_clinic_id_fkey,
  drop constraint clinic_staff_user_id_fkey;
alter table clinic_counters drop constraint clinic_counters_clinic_id_fkey;
alter table subscription_history
  drop constraint subscription_history_clinic_id_fkey,
  drop constraint subscription_history_subscription_type_id_fkey,
  drop constraint subscription_history_payment_method_id_fkey,
  drop constraint subscription_history_activated_by_fkey,
  drop constraint subscription_history_suspended_by_fkey,
  drop constraint subscription_history_reactivated_by_fkey;
alter table owners drop constraint owners_clinic_id_fkey;
alter table pets
  drop constraint pets_pet_type_id_fkey,
  drop constraint pets_clinic_id_owner_id_fkey;

select create_reference_table('countries');
select create_reference_table('pet_types');
select create_reference_table('subscription_types');
select create_reference_table('payment_methods');
select create_reference_table('users');

select create_distributed_table('clinics', 'id');
select create_distributed_table('clinic_counters', 'clinic_id', colocate_with => 'clinics');
select create_distributed_table('clinic_staff', 'clinic_id', colocate_with => 'clinics');
select create_distributed_table('owners', 'clinic_id', colocate_with => 'clinics');
select create_distributed_table('pets', 'clinic_id', colocate_with => 'clinics');
select create_distributed_table('subscription_history', 'clinic_id', colocate_with => 'clinics');
-- No foreign key (sql/0009): clinic_id 0 holds clinics.create's platform-wide keys.
select create_distributed_table('idempotency_keys', 'clinic_id', colocate_with => 'clinics');

-- Called inside statements that Citus sends to the shards' nodes.
select create_distributed_function('vz_code(text, integer)');

-- Citus takes one ADD CONSTRAINT per ALTER TABLE on a distributed table.
alter table clinics
  add constraint clinics_owner_user_id_fkey foreign key (owner_user_id) references users (id);
alter table clinics
  add constraint clinics_country_code_fkey foreign key (country_code) references countries (code);
alter table clinic_staff
  add constraint clinic_staff_clinic_id_fkey foreign key (clinic_id) references clinics (id);
alter table clinic_staff
  add constraint clinic_staff_user_id_fkey foreign key (user_id) references users (id);
alter table clinic_counters
  add constraint clinic_counters_clinic_id_fkey foreign key (clinic_id) references clinics (id);
alter table subscription_history
  add constraint subscription_history_clinic_id_fkey foreign key (clinic_id) references clinics (id);
alter table subscription_history
  add constraint subscription_history_subscription_type_id_fkey
    foreign key (subscription_type_id) references subscription_types (id);
alter table subscription_history
  add constraint subscription_history_payment_method_id_fkey
    foreign key (payment_method_id) references payment_methods (id);
alter table subscription_history
  add constraint subscription_history_activated_by_fkey
    foreign key (activated_by) references users (id);
alter table subscription_history
  add constraint subscription_history_suspended_by_fkey
    foreign key (suspended_by) references users (id);
alter table subscription_history
  add constraint subscription_history_reactivated_by_fkey
    foreign key (reactivated_by) references users (id);
alter table owners
  add constraint owners_clinic_id_fkey foreign key (clinic_id) references clinics (id);
alter table pets
  add constraint pets_pet_type_id_fkey foreign key (pet_type_id) references pet_types (id);
alter table pets
  add constraint pets_clinic_id_owner_id_fkey
    foreign key (clinic_id, owner_id) references owners (clinic_id, id);
