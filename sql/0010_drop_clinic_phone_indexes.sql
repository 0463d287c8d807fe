-- No statement of the library, the harness or the seed filters, joins or sorts
-- on a clinic's phone columns (grep owner_phone_number/clinic_phone_number:
-- only select lists, inserts and the update's SET), so these two btrees were
-- never read. They did cost every phone change its heap-only (HOT) update: a
-- HOT update needs every changed column to be unindexed, and a harness run counted
-- 123 HOT of 7,340 clinic updates against 36,553 of 36,672 without them.
-- pg_stat_user_indexes after the harness's clinics.update and searches at
-- 300 clinics (6,810 updates): idx_scan 0 on both. A clinic looked up by
-- phone would be an operator's rare question; a scan of the clinics table
-- (one row per tenant: 80 kB at 300 clinics) answers it.
drop index if exists clinics_owner_phone;
drop index if exists clinics_clinic_phone;
