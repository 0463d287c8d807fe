import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultGeneratorOptions, type GeneratorOptions } from '../../bench/generate/options.js';
import { SeedMismatchError, seed } from '../../bench/seed/seed.js';
import { nationalDigits } from '../../src/clinic/phone.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const generator: GeneratorOptions = {
  ...defaultGeneratorOptions(),
  ownersPerClinic: 80,
  anchorDate: '2026-06-15',
};

/** md5 of a table's rows in key order, so two databases can be compared. */
async function fingerprint(client: pg.Client, table: string, order: string, where = 'true') {
  const { rows } = await client.query<{ hash: string; n: number }>(
    `select md5(coalesce(string_agg(t::text, '|' order by ${order}), '')) as hash, count(*)::int as n
     from ${table} t where ${where}`,
  );
  return rows[0];
}

/** Index and constraint definitions of the tables a load drops and rebuilds. */
async function definitions(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ def: string }>(
    `select indexdef as def from pg_indexes where tablename in ('owners', 'pets')
     union all
     select conname || ' ' || pg_get_constraintdef(c.oid) from pg_constraint c
     join pg_class t on t.oid = c.conrelid where t.relname in ('owners', 'pets')
     order by 1`,
  );
  return rows.map((row) => row.def);
}

describe('the seeder', () => {
  let grown: TestDatabase;
  let direct: TestDatabase;
  let client: pg.Client;
  let before: string[];

  beforeAll(async () => {
    grown = await createTestDatabase();
    direct = await createTestDatabase();
    client = new pg.Client({ connectionString: grown.url });
    await client.connect();
    before = await definitions(client);
  });
  afterAll(() => client.end());

  it('loads 3 clinics, then growing to 5 adds exactly 2 and leaves the first 3 untouched', async () => {
    // The checkpoint's WAL position, not its time: checkpoint_time has whole seconds, so a
    // checkpoint in the same second as the one before would look like none.
    const lastCheckpoint = async () =>
      BigInt(
        (
          await client.query<{ at: string }>(
            `select (checkpoint_lsn - '0/0'::pg_lsn)::text as at from pg_control_checkpoint()`,
          )
        ).rows[0]?.at ?? '0',
      );
    const checkpointBefore = await lastCheckpoint();
    const first = await seed({ databaseUrl: grown.url, clinics: 3, generator });
    // The load's dirty pages are written before anything is measured on it.
    expect(await lastCheckpoint()).toBeGreaterThan(checkpointBefore);
    expect(first.phases.at(-1)?.name).toBe('checkpoint');
    expect(first).toMatchObject({ clinicsBefore: 0, clinicsAfter: 3, strategy: 'drop-indexes' });
    expect(first.rows.owners).toBe(240);
    const ownersOfThree = await fingerprint(client, 'owners', 'clinic_id, id');
    const petsOfThree = await fingerprint(client, 'pets', 'clinic_id, id');

    const second = await seed({ databaseUrl: grown.url, clinics: 5, generator });
    expect(second).toMatchObject({ clinicsBefore: 3, clinicsAfter: 5 });
    expect(second.rows.clinics).toBe(2);
    expect(second.rows.owners).toBe(160);
    const { rows } = await client.query<{ n: number }>('select count(*)::int as n from clinics');
    expect(rows[0]?.n).toBe(5);
    expect(await fingerprint(client, 'owners', 'clinic_id, id', 'clinic_id <= 3')).toEqual(
      ownersOfThree,
    );
    expect(await fingerprint(client, 'pets', 'clinic_id, id', 'clinic_id <= 3')).toEqual(
      petsOfThree,
    );

    const third = await seed({ databaseUrl: grown.url, clinics: 5, generator });
    expect(third.strategy).toBe('nothing-to-do');
  });

  it('gives grown clinics the same data as a database seeded to 5 at once', async () => {
    await seed({ databaseUrl: direct.url, clinics: 5, generator });
    const other = new pg.Client({ connectionString: direct.url });
    await other.connect();
    try {
      for (const [table, order] of [
        ['users', 'id'],
        ['clinics', 'id'],
        ['clinic_staff', 'clinic_id, user_id'],
        ['subscription_history', 'clinic_id, id'],
        ['clinic_counters', 'clinic_id'],
        ['owners', 'clinic_id, id'],
        ['pets', 'clinic_id, id'],
      ] as const) {
        // The platform admin is made with now() as its creation time: leave it out.
        const where = table === 'users' ? "role <> 'platform_admin'" : 'true';
        expect(await fingerprint(client, table, order, where), table).toEqual(
          await fingerprint(other, table, order, where),
        );
      }
    } finally {
      await other.end();
    }
  });

  it('restores every index and constraint it dropped for the load', async () => {
    expect(await definitions(client)).toEqual(before);
  });

  it('leaves data the schema and the library agree with', async () => {
    const one = async (text: string) => (await client.query<{ n: number }>(text)).rows[0]?.n;
    // Counters end at the highest code used, so the library's next code follows on.
    expect(
      await one(`select count(*)::int as n from clinic_counters k where
        last_owner_seq <> (select coalesce(max(seq), 0) from owners o where o.clinic_id = k.clinic_id)
        or last_pet_seq <> (select coalesce(max(seq), 0) from pets p where p.clinic_id = k.clinic_id)`),
    ).toBe(0);
    // Pets point at owners of their own clinic (the load ran with triggers off).
    expect(
      await one(`select count(*)::int as n from pets p
        where not exists (select 1 from owners o where o.clinic_id = p.clinic_id and o.id = p.owner_id)`),
    ).toBe(0);
    // 5 to 7 staff, exactly one owner, per clinic; 12 subscription records, at most one open.
    expect(
      await one(`select count(*)::int as n from (
        select clinic_id from clinic_staff group by clinic_id
        having count(*) not between 5 and 7 or count(*) filter (where role = 'clinic_owner') <> 1) s`),
    ).toBe(0);
    // Every staff account works for the clinic of its membership, as staff.add's rule reads it.
    expect(
      await one(`select count(*)::int as n from clinic_staff s join users u on u.id = s.user_id
        where u.staff_clinic_id is distinct from s.clinic_id`),
    ).toBe(0);
    expect(
      await one(`select count(*)::int as n from (select clinic_id from subscription_history
        group by clinic_id having count(*) <> 12
          or count(*) filter (where status in ('active', 'suspended')) > 1) s`),
    ).toBe(0);
    // Every owner's digits are what the library computes from the typed number.
    const owners = await client.query<{ phone: string; digits: string; calling: string }>(
      `select o.phone_number as phone, o.phone_digits as digits, co.calling_code as calling
       from owners o join clinics c on c.id = o.clinic_id join countries co on co.code = c.country_code
       where o.phone_number is not null`,
    );
    expect(owners.rows.length).toBeGreaterThan(300);
    for (const owner of owners.rows)
      expect(nationalDigits(owner.phone, owner.calling)).toBe(owner.digits);
    // Identity sequences continue after the loaded ids.
    const made = await client.query<{ id: number }>(
      `insert into owners (clinic_id, seq, full_name) values (1, 100000, 'Next Owner') returning id`,
    );
    const max = await one('select max(id)::int as n from owners where seq < 100000');
    expect(made.rows[0]?.id).toBeGreaterThan(max ?? 0);
    await client.query('delete from owners where seq = 100000');
  });

  it('refuses to grow a data set generated with other options', async () => {
    await expect(
      seed({ databaseUrl: grown.url, clinics: 6, generator: { ...generator, petsPerOwner: 2 } }),
    ).rejects.toBeInstanceOf(SeedMismatchError);
  });
});
