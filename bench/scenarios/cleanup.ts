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
