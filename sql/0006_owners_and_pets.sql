-- Pet owners (plain data, no accounts) and their pets: per-clinic rows whose keys
-- all lead with clinic_id, so no row can point into another clinic.

create type pet_sex as enum ('unknown', 'male', 'female', 'male_neutered', 'female_spayed');

create table owners (
  clinic_id integer not null references clinics (id),
  id integer generated always as identity,
  seq integer not null check (seq > 0),
  full_name text not null check (btrim(full_name) <> '' and length(full_name) <= 200),
  phone_number text check (length(phone_number) <= 32),
  -- National significant number (digits only, no country code, no trunk 0), written
  -- by the library, so every way of typing a number finds the same owner.
  phone_digits text check (phone_digits ~ '^[0-9]*$'),
  email text check (length(email) <= 254),
  address text check (length(address) <= 500),
  notes text,
  archived_at timestamptz,
  version integer not null default 1 check (version > 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (clinic_id, id),
  unique (clinic_id, seq),
  constraint owners_phone_digits_with_phone check ((phone_number is null) = (phone_digits is null))
);
-- Substring search on names, inside one clinic (btree_gin puts clinic_id in the GIN key).
create index owners_name_trgm on owners using gin (clinic_id, full_name gin_trgm_ops);
-- Phone search by prefix and by suffix of the national number.
create index owners_phone_prefix on owners (clinic_id, phone_digits text_pattern_ops);
create index owners_phone_suffix on owners (clinic_id, reverse(phone_digits) text_pattern_ops);

create table pets (
  clinic_id integer not null,
  id integer generated always as identity,
  owner_id integer not null,
  seq integer not null check (seq > 0),
  name text not null check (btrim(name) <> '' and length(name) <= 100),
  pet_type_id smallint not null references pet_types (id),
  breed text check (length(breed) <= 100),
  sex pet_sex not null default 'unknown',
  birth_date date check (birth_date >= date '1900-01-01'),
  microchip text check (microchip ~ '^[0-9A-Z]{9,23}$'),
  deceased_on date,
  is_deceased boolean not null default false,
  archived_at timestamptz,
  version integer not null default 1 check (version > 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (clinic_id, id),
  unique (clinic_id, seq),
  foreign key (clinic_id, owner_id) references owners (clinic_id, id),
  constraint pets_deceased_on_only_if_deceased check (deceased_on is null or is_deceased),
  constraint pets_deceased_after_birth check (deceased_on is null or birth_date is null or deceased_on >= birth_date)
);
-- id last: an owner's pets come out of the index already in order.
create index pets_owner on pets (clinic_id, owner_id, id);
create index pets_name_trgm on pets using gin (clinic_id, name gin_trgm_ops);
-- An archived pet's chip may be registered again (the animal changed hands, say).
create unique index pets_microchip_key on pets (clinic_id, microchip)
  where microchip is not null and archived_at is null;
