import type pg from 'pg';

/** Deletes a clinic the harness created, with its staff, counters, history and owner account. */
export async function deleteClinic(admin: pg.ClientBase, clinicId: number): Promise<void> {
  await admin.query(
    `with staff as (delete from clinic_staff where clinic_id = $1),
          counters as (delete from clinic_counters where clinic_id = $1),
          history as (delete from subscription_history where clinic_id = $1),
          pets as (delete from pets where clinic_id = $1),
          owners as (delete from owners where clinic_id = $1),
          clinic as (delete from clinics where id = $1 returning owner_user_id)
     delete from users where id in (select owner_user_id from clinic)`,
    [clinicId],
  );
}

/** Deletes an owner the harness created, with its pets. */
export async function deleteOwner(
  admin: pg.ClientBase,
  clinicId: number,
  ownerId: number,
): Promise<void> {
  await admin.query(
    `with pets as (delete from pets where clinic_id = $1 and owner_id = $2)
     delete from owners where clinic_id = $1 and id = $2`,
    [clinicId, ownerId],
  );
}

/**
 * Deletes the idempotency key a keyed owners.create stored, and the owner and
 * pets that write made (named by the key's stored result), so it can run again.
 */
export async function deleteKeyedOwner(
  admin: pg.ClientBase,
  clinicId: number,
  key: string,
): Promise<void> {
  await admin.query(
    `with k as (
       delete from idempotency_keys where clinic_id = $1 and key = $2
       returning (result ->> 'id')::int as owner_id
     ), p as (delete from pets where clinic_id = $1 and owner_id in (select owner_id from k))
     delete from owners where clinic_id = $1 and id in (select owner_id from k)`,
    [clinicId, key],
  );
}
