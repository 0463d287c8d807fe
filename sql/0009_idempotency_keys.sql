-- Idempotency keys of the writes a caller may retry after a timeout
-- (owners.create, owners.import, clinics.create, subscriptions.activate,
-- subscriptions.renew; src/idempotency.ts). A key row is written by the same
-- statement (or transaction) as the write's effect, so it exists exactly when
-- the effect committed. It holds the result the first call returned and a
-- sha256 of the request (operation and parsed input, not the key), so a retry
-- returns that result and a different request under the same key is refused.
--
-- clinic_id is the key's scope: the clinic of the write, or 0 for
-- clinics.create, whose keys are platform-wide (it has no acting user to scope
-- them by; ids start at 1). No foreign key: it would cost a probe of clinics
-- on every keyed write, and a key outliving its clinic is harmless.
create table idempotency_keys (
  clinic_id integer not null,
  key text not null check (length(key) between 1 and 200),
  operation text not null,
  request_hash bytea not null,
  result jsonb not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  constraint idempotency_keys_pkey primary key (clinic_id, key)
);

-- Every keyed write deletes a few expired keys of its own scope through this
-- index (an index probe that stops at the first live key), so the table stays
-- near one TTL's worth of keys per scope without a background job.
create index idempotency_keys_expiry on idempotency_keys (clinic_id, expires_at);
