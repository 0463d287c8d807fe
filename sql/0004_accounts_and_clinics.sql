-- Staff accounts, clinics (the tenants), their staff and their code counters.

create type user_role as enum ('platform_admin', 'clinic_owner', 'doctor', 'receptionist');

create table users (
  id integer generated always as identity primary key,
  email text not null check (email ~ '^[^@[:space:]]+@[^@[:space:]]+$' and length(email) <= 254),
  full_name text not null check (btrim(full_name) <> '' and length(full_name) <= 200),
  role user_role not null,
  -- Only scrypt hashes are ever stored; a plaintext password cannot pass this check.
  -- Null until the invited user sets a password.
  password_hash text check (password_hash ~ '^scrypt\$'),
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_email_key on users (lower(email));

create table clinics (
  id integer generated always as identity primary key,
  owner_user_id integer not null references users (id),
  country_code char(2) not null references countries (code),
  clinic_name text not null check (btrim(clinic_name) <> '' and length(clinic_name) <= 200),
  owner_phone_number text not null check (owner_phone_number ~ '[0-9]' and length(owner_phone_number) <= 32),
  clinic_phone_number text not null check (clinic_phone_number ~ '[0-9]' and length(clinic_phone_number) <= 32),
  version integer not null default 1 check (version > 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index clinics_owner_user on clinics (owner_user_id);
create index clinics_country on clinics (country_code, id);
-- Case-insensitive substring search on clinic names (the seed's clinic_name index).
create index clinics_name_trgm on clinics using gin (clinic_name gin_trgm_ops);
create index clinics_owner_phone on clinics (owner_phone_number);
create index clinics_clinic_phone on clinics (clinic_phone_number);

create table clinic_staff (
  clinic_id integer not null references clinics (id),
  user_id integer not null references users (id),
  role user_role not null check (role <> 'platform_admin'),
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  deactivated_at timestamptz,
  primary key (clinic_id, user_id),
  constraint clinic_staff_deactivated_when_inactive check (is_active = (deactivated_at is null))
);
-- The seed's DoctorProfile/ReceptionProfile (clinic, is_active) index.
create index clinic_staff_by_role on clinic_staff (clinic_id, is_active, role);
create index clinic_staff_user on clinic_staff (user_id);

-- Per-clinic counters behind the human-readable codes (O-000123, P-000456): one
-- row per clinic, bumped in the statement that inserts, so codes never collide.
create table clinic_counters (
  clinic_id integer primary key references clinics (id),
  last_owner_seq integer not null default 0 check (last_owner_seq >= 0),
  last_pet_seq integer not null default 0 check (last_pet_seq >= 0)
);

-- O-000123 from ('O', 123); widens past six digits instead of truncating.
create function vz_code(prefix text, seq integer) returns text
language sql immutable parallel safe
return prefix || '-' || lpad(seq::text, greatest(6, length(seq::text)), '0');
