-- The clinic an account works for, on the account itself (named apart from
-- the tenant tables' clinic_id: users is shared, a reference table on Citus).
-- A clinic account works for one clinic: staff.add links an existing account
-- only when it is no other clinic's member. That rule used to read clinic_staff by user_id,
-- which on Citus (clinic_staff distributed by clinic_id) asks every shard.
-- With the clinic on the account, the link is a conditional update of one
-- users row (users is a reference table on Citus: one task), and two clinics
-- linking one account at once cannot both win: the second update waits for
-- the first and then finds the account taken.
-- Null for platform admins and for accounts made by users.create until their
-- first membership. No foreign key: on Citus a reference table cannot
-- reference a distributed one (clinics).
alter table users add column staff_clinic_id integer;

update users u set staff_clinic_id = s.clinic_id
from (
  -- The first clinic an account joined (there is one unless the data was
  -- written around the library).
  select distinct on (user_id) user_id, clinic_id
  from clinic_staff
  order by user_id, created_at, clinic_id
) s
where s.user_id = u.id;
