-- Cache invalidation across app instances. Every createVetalyze keeps clinic
-- statuses and clinic facts (country calling code) in memory and LISTENs on
-- these two channels (src/cache/invalidation-listener.ts). The NOTIFY comes
-- from a trigger, so it belongs to the writing transaction: PostgreSQL delivers
-- it at COMMIT, and a rolled-back write sends nothing. The payload is the
-- clinic id, nothing else. Notices with the same payload in one transaction
-- are delivered once.

-- A clinic's status is derived from its subscription records only.
create function vz_notify_clinic_status() returns trigger
language plpgsql as $$
begin
  perform pg_notify('vz_clinic_status', coalesce(new.clinic_id, old.clinic_id)::text);
  return null;
end
$$;

create trigger subscription_history_notify_status
  after insert or update or delete on subscription_history
  for each row execute function vz_notify_clinic_status();

-- A clinic's facts change only with its country (clinics are never deleted).
create function vz_notify_clinic_facts() returns trigger
language plpgsql as $$
begin
  perform pg_notify('vz_clinic_facts', new.id::text);
  return null;
end
$$;

create trigger clinics_notify_facts
  after update of country_code on clinics
  for each row when (old.country_code is distinct from new.country_code)
  execute function vz_notify_clinic_facts();
