import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/database.js';

// What the database itself must refuse, whatever the library's code does.

let client: pg.Client;
const ids = { user: 0, clinicA: 0, clinicB: 0, ownerA: 0, ownerB: 0, petA: 0 };

beforeAll(async () => {
  const database = await createTestDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const one = async (text: string, values: unknown[] = []) =>
    (await client.query(text, values)).rows[0].id as number;
  ids.user = await one(
    `insert into users (email, full_name, role) values ('a@example.com', 'Ann Admin', 'clinic_owner') returning id`,
  );
  const clinic = (name: string) =>
    one(
      `insert into clinics (owner_user_id, country_code, clinic_name, owner_phone_number, clinic_phone_number)
         values ($1, 'DE', $2, '+49 170 1', '+49 30 1') returning id`,
      [ids.user, name],
    );
  ids.clinicA = await clinic('Clinic A');
  ids.clinicB = await clinic('Clinic B');
  const owner = (clinicId: number) =>
    one(
      `insert into owners (clinic_id, seq, full_name) values ($1, 1, 'Olga Owner') returning id`,
      [clinicId],
    );
  ids.ownerA = await owner(ids.clinicA);
  ids.ownerB = await owner(ids.clinicB);
  ids.petA = await one(
    `insert into pets (clinic_id, owner_id, seq, name, pet_type_id) values ($1, $2, 1, 'Rex', 1) returning id`,
    [ids.clinicA, ids.ownerA],
  );
  await client.query(`insert into clinic_counters (clinic_id) values ($1)`, [ids.clinicA]);
  await client.query(
    `insert into clinic_staff (clinic_id, user_id, role) values ($1, $2, 'clinic_owner')`,
    [ids.clinicA, ids.user],
  );
});
afterAll(() => client.end());

/** Runs `text` in a rolled-back transaction and returns the SQLSTATE and constraint it failed with. */
/** Runs `steps` in a transaction that is always rolled back, so cases never see each other's rows. */
async function rolledBack<T>(steps: () => Promise<T>): Promise<T> {
  await client.query('begin');
  try {
    return await steps();
  } finally {
    await client.query('rollback');
  }
}

/** The SQLSTATE and constraint a statement fails with ({} when it succeeds), rolled back. */
async function failure(
  text: string,
  values: unknown[] = [],
): Promise<{ code?: string; constraint?: string }> {
  return rolledBack(async () => {
    try {
      await client.query(text, values);
      return {};
    } catch (error) {
      const { code, constraint } = error as { code?: string; constraint?: string };
      return { code, constraint };
    }
  });
}

const subscription = (status: string, extra = '') => `
  insert into subscription_history (clinic_id, group_id, subscription_type_id, payment_method_id, status,
    starts_on, ends_on, amount, activated_by${extra ? ', suspended_by, suspended_at' : ''})
  values ($1, nextval('subscription_group_seq'), 1, 1, '${status}', date '2026-01-01', date '2026-02-01', 49, $2${extra})`;

describe('cross-clinic links', () => {
  it('refuse a pet of clinic B that points at an owner of clinic A', async () => {
    const result = await failure(
      `insert into pets (clinic_id, owner_id, seq, name, pet_type_id) values ($1, $2, 5, 'Stray', 1)`,
      [ids.clinicB, ids.ownerA],
    );
    expect(result).toEqual({ code: '23503', constraint: 'pets_clinic_id_owner_id_fkey' });
  });

  it('refuse moving a pet of clinic A to an owner of clinic B', async () => {
    const result = await failure(`update pets set owner_id = $1 where clinic_id = $2 and id = $3`, [
      ids.ownerB,
      ids.clinicA,
      ids.petA,
    ]);
    expect(result).toEqual({ code: '23503', constraint: 'pets_clinic_id_owner_id_fkey' });
  });
});

describe('subscriptions', () => {
  it('allow one open subscription per clinic and refuse a second', async () => {
    await rolledBack(async () => {
      await client.query(subscription('active'), [ids.clinicA, ids.user]);
      await client.query(subscription('renewed'), [ids.clinicA, ids.user]);
      const second = await client
        .query(subscription('active'), [ids.clinicA, ids.user])
        .catch((error) => error);
      expect(second).toMatchObject({
        code: '23505',
        constraint: 'subscription_history_one_open_per_clinic',
      });
    });
  });

  it('count a suspended subscription as open', async () => {
    await rolledBack(async () => {
      await client.query(subscription('suspended', ', $2, now()'), [ids.clinicA, ids.user]);
      const second = await client
        .query(subscription('active'), [ids.clinicA, ids.user])
        .catch((error) => error);
      expect(second).toMatchObject({
        code: '23505',
        constraint: 'subscription_history_one_open_per_clinic',
      });
    });
  });
});

// One violating statement per CHECK constraint, keyed by the constraint's name.
const checkCases: Record<string, () => [string, unknown[]]> = {
  countries_code_check: () => [`insert into countries values ('x1', 'XXA', 'X', '1')`, []],
  countries_alpha3_check: () => [`insert into countries values ('XA', 'xx', 'X', '1')`, []],
  countries_name_check: () => [`insert into countries values ('XA', 'XXA', '', '1')`, []],
  countries_calling_code_check: () => [`insert into countries values ('XA', 'XXA', 'X', '+1')`, []],
  pet_types_code_check: () => [`insert into pet_types values (99, 'Big Cat', 'Big cat')`, []],
  pet_types_name_check: () => [`insert into pet_types values (99, 'big_cat', '')`, []],
  payment_methods_code_check: () => [
    `insert into payment_methods values (99, 'Paypal!', 'PayPal')`,
    [],
  ],
  payment_methods_name_check: () => [`insert into payment_methods values (99, 'paypal', '')`, []],
  subscription_types_code_check: () => [
    `insert into subscription_types (id, code, name, duration_months, price) values (99, 'X Y', 'X', 1, 1)`,
    [],
  ],
  subscription_types_name_check: () => [
    `insert into subscription_types (id, code, name, duration_months, price) values (99, 'xy', '', 1, 1)`,
    [],
  ],
  subscription_types_duration_months_check: () => [
    `insert into subscription_types (id, code, name, duration_months, price) values (99, 'xy', 'X', 0, 1)`,
    [],
  ],
  subscription_types_price_check: () => [
    `insert into subscription_types (id, code, name, duration_months, price) values (99, 'xy', 'X', 1, -1)`,
    [],
  ],
  users_email_check: () => [
    `insert into users (email, full_name, role) values ('no-at-sign', 'N', 'doctor')`,
    [],
  ],
  users_full_name_check: () => [
    `insert into users (email, full_name, role) values ('n@example.com', '  ', 'doctor')`,
    [],
  ],
  users_password_hash_check: () => [
    `insert into users (email, full_name, role, password_hash) values ('n@example.com', 'N', 'doctor', 'hunter2')`,
    [],
  ],
  clinics_clinic_name_check: () => [
    `update clinics set clinic_name = ' ' where id = $1`,
    [ids.clinicA],
  ],
  clinics_owner_phone_number_check: () => [
    `update clinics set owner_phone_number = 'none' where id = $1`,
    [ids.clinicA],
  ],
  clinics_clinic_phone_number_check: () => [
    `update clinics set clinic_phone_number = 'none' where id = $1`,
    [ids.clinicA],
  ],
  clinics_version_check: () => [`update clinics set version = 0 where id = $1`, [ids.clinicA]],
  clinic_staff_role_check: () => [
    `update clinic_staff set role = 'platform_admin' where clinic_id = $1`,
    [ids.clinicA],
  ],
  clinic_staff_deactivated_when_inactive: () => [
    `update clinic_staff set is_active = false where clinic_id = $1`,
    [ids.clinicA],
  ],
  clinic_counters_last_owner_seq_check: () => [
    `update clinic_counters set last_owner_seq = -1 where clinic_id = $1`,
    [ids.clinicA],
  ],
  clinic_counters_last_pet_seq_check: () => [
    `update clinic_counters set last_pet_seq = -1 where clinic_id = $1`,
    [ids.clinicA],
  ],
  subscription_history_amount_check: () => [
    subscription('active').replace(', 49,', ', -1,'),
    [ids.clinicA, ids.user],
  ],
  subscription_history_ends_after_start: () => [
    subscription('active').replace("date '2026-02-01'", "date '2026-01-01'"),
    [ids.clinicA, ids.user],
  ],
  subscription_history_suspension_complete: () => [
    subscription('suspended', ', $2, null'),
    [ids.clinicA, ids.user],
  ],
  subscription_history_reactivation_complete: () => [
    subscription('active')
      .replace('activated_by)', 'activated_by, reactivated_by)')
      .replace('$2)', '$2, $2)'),
    [ids.clinicA, ids.user],
  ],
  owners_seq_check: () => [`update owners set seq = 0 where id = $1`, [ids.ownerA]],
  owners_full_name_check: () => [`update owners set full_name = '' where id = $1`, [ids.ownerA]],
  owners_phone_number_check: () => [
    `update owners set phone_number = repeat('1', 33), phone_digits = '1' where id = $1`,
    [ids.ownerA],
  ],
  owners_phone_digits_check: () => [
    `update owners set phone_number = '1', phone_digits = '+1' where id = $1`,
    [ids.ownerA],
  ],
  owners_phone_digits_with_phone: () => [
    `update owners set phone_number = '0170 1' where id = $1`,
    [ids.ownerA],
  ],
  owners_email_check: () => [
    `update owners set email = repeat('e', 255) where id = $1`,
    [ids.ownerA],
  ],
  owners_address_check: () => [
    `update owners set address = repeat('a', 501) where id = $1`,
    [ids.ownerA],
  ],
  owners_version_check: () => [`update owners set version = 0 where id = $1`, [ids.ownerA]],
  pets_seq_check: () => [`update pets set seq = -3 where id = $1`, [ids.petA]],
  pets_name_check: () => [`update pets set name = ' ' where id = $1`, [ids.petA]],
  pets_breed_check: () => [`update pets set breed = repeat('b', 101) where id = $1`, [ids.petA]],
  pets_birth_date_check: () => [
    `update pets set birth_date = date '1899-12-31' where id = $1`,
    [ids.petA],
  ],
  pets_microchip_check: () => [`update pets set microchip = '12ab' where id = $1`, [ids.petA]],
  pets_deceased_on_only_if_deceased: () => [
    `update pets set deceased_on = date '2026-01-01' where id = $1`,
    [ids.petA],
  ],
  pets_deceased_after_birth: () => [
    `update pets set is_deceased = true, birth_date = date '2026-01-02', deceased_on = date '2026-01-01' where id = $1`,
    [ids.petA],
  ],
  pets_version_check: () => [`update pets set version = 0 where id = $1`, [ids.petA]],
  idempotency_keys_key_check: () => [
    `insert into idempotency_keys (clinic_id, key, operation, request_hash, result, expires_at)
     values ($1, repeat('k', 201), 'owners.create', '\\x00', '{}', now())`,
    [ids.clinicA],
  ],
};

describe('CHECK constraints', () => {
  it('each have a violating case here (read from the catalog)', async () => {
    const { rows } = await client.query<{ name: string }>(
      `select conname as name from pg_constraint where contype = 'c' and connamespace = 'public'::regnamespace`,
    );
    expect(rows.map((row) => row.name).sort()).toEqual(Object.keys(checkCases).sort());
  });

  it.each(Object.keys(checkCases))('%s rejects what it exists for', async (name) => {
    const [text, values] = (checkCases[name] as () => [string, unknown[]])();
    expect(await failure(text, values)).toEqual({ code: '23514', constraint: name });
  });
});
