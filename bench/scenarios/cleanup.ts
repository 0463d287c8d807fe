import type pg from 'pg';

/**
 * Whether `admin` is a superuser, who may set `session_replication_role`
 * (asked once per connection).
 */
const superusers = new WeakMap<pg.ClientBase, boolean>();

async function isSuperuser(admin: pg.ClientBase): Promise<boolean> {
  let known = superusers.get(admin);
  if (known === undefined) {
    const { rows } = await admin.query<{ on: boolean }>(
      `select current_setting('is_superuser') = 'on' as on`,
    );
    known = rows[0]?.on === true;
    superusers.set(admin, known);
  }
  return known;
}

const deleteClinicSql = `with staff as (delete from clinic_staff where clinic_id = $1),
          counters as (delete from clinic_counters where clinic_id = $1),
          history as (delete from subscription_history where clinic_id = $1),
          pets as (delete from pets where clinic_id = $1),
          owners as (delete from owners where clinic_id = $1),
          clinic as (delete from clinics where id = $1 returning owner_user_id)
     delete from users where id in (select owner_user_id from clinic)`;

/**
 * Deletes a clinic the harness created, with its staff, counters, history and
 * owner account.
 *
 * As a superuser it skips the foreign-key triggers (`session_replication_role
 * = replica`, for this one query). Deleting the owner's account otherwise
 * checks the three unindexed references of subscription_history to users
 * (activated_by, suspended_by, reactivated_by) by scanning the table each time:
 * 45-80 ms at 10,000 clinics (120,000 records), 0.5 ms at 50. The latency run
 * settles every clinics.create this way before the next, untimed, but a call
 * that follows a 45 ms pause runs slower than one that follows a 1 ms pause
 * (pgbench, the lean create: a 45 ms pg_sleep between creates took their
 * mean from 0.26 to 0.69 ms at 10,000 clinics and from 0.19 to 1.06 ms at 50),
 * so clinics.create at 10,000 clinics measured its own cleanup. What the
 * triggers would check holds by construction: the statement deletes every row
 * that references the clinic, and nothing references a harness owner's
 * account but its clinic and staff row (the harness activates subscriptions
 * as the platform admin). The status trigger's NOTIFY is skipped too: the
 * clinic is gone. Without superuser rights the triggers run.
 */
export async function deleteClinic(admin: pg.ClientBase, clinicId: number): Promise<void> {
  if (!(await isSuperuser(admin))) {
    await admin.query(deleteClinicSql, [clinicId]);
    return;
  }
  // One simple query of two statements: PostgreSQL runs it as one implicit
  // transaction (SET LOCAL lasts until its end, an error undoes both), and
  // node-postgres queues it whole, so calls sharing `admin` cannot interleave.
  if (!Number.isSafeInteger(clinicId)) throw new Error(`not a clinic id: ${clinicId}`);
  await admin.query(
    `set local session_replication_role = replica;
     ${deleteClinicSql.replaceAll('$1', String(clinicId))}`,
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
