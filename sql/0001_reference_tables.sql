-- Reference tables shared by every clinic, and the extensions the search indexes need.
create extension if not exists pg_trgm;
create extension if not exists btree_gin;

create table countries (
  code char(2) primary key check (code ~ '^[A-Z]{2}$'),
  alpha3 char(3) not null unique check (alpha3 ~ '^[A-Z]{3}$'),
  name text not null check (name <> ''),
  calling_code text not null check (calling_code ~ '^[0-9]{1,4}$')
);

create table pet_types (
  id smallint primary key,
  code text not null unique check (code ~ '^[a-z_]+$'),
  name text not null check (name <> '')
);

create table subscription_types (
  id smallint primary key,
  code text not null unique check (code ~ '^[a-z_]+$'),
  name text not null check (name <> ''),
  duration_months smallint not null check (duration_months between 1 and 60),
  price numeric(10, 2) not null check (price >= 0),
  is_active boolean not null default true
);

create table payment_methods (
  id smallint primary key,
  code text not null unique check (code ~ '^[a-z_]+$'),
  name text not null check (name <> '')
);
