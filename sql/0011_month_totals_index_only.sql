-- subscriptions.listByMonth sums the month's count and amount over every clinic:
-- at 1000 clinics a month is ~1,000 records on 124 heap pages (a bitmap heap
-- scan, EXPLAIN of `vetalyze explain --only subscriptions.listByMonth`), and
-- at 10,000 clinics ten times that, which took the call's p95 to 5-9 ms. With
-- amount in the index, and id for the page's keyset order, both the totals
-- and the page's order come from the index alone (an index-only scan; the
-- harness vacuums after seeding and autovacuum keeps the visibility map).
drop index if exists subscription_history_by_start;
create index subscription_history_by_start
  on subscription_history (starts_on, clinic_id, id) include (amount);
