import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../src/index.js';
import { countStatements, createTestVetalyze } from '../helpers/database.js';
import { connectAdmin, createClinic, endOpenPeriod, unique } from './fixtures.js';

const statementNames: (string | undefined)[] = [];
const { vz, database, queries } = await createTestVetalyze({
  onQuery: (event) => statementNames.push(event.name),
});
const admin = await connectAdmin(database.url);
const operator = await vz.users.create({
  email: 'operator@example.com',
  fullName: 'Platform Operator',
  role: 'platform_admin',
});

async function userCount(email: string): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(
    'select count(*)::int as n from users where lower(email) = lower($1)',
    [email],
  );
  return rows[0]?.n ?? -1;
}

function activate(clinicId: number) {
  return vz.subscriptions.activate({
    clinicId,
    subscriptionTypeId: 1,
    paymentMethodId: 1,
    activatedBy: operator.id,
  });
}

describe('clinics.create', () => {
  it('creates the owner, the clinic, its owner staff row and counters in one statement', async () => {
    const tag = unique();
    const { result: clinic, statements } = await countStatements(queries, () =>
      vz.clinics.create({
        clinicName: ` Happy Paws ${tag} `,
        countryCode: 'de',
        ownerPhoneNumber: '+49 151 0000000',
        clinicPhoneNumber: '030 1111111',
        owner: { email: `happy-${tag}@example.com`, fullName: 'Hanna Happy' },
      }),
    );
    expect(statements).toBe(1);
    expect(clinic).toMatchObject({
      clinicName: `Happy Paws ${tag}`,
      countryCode: 'DE',
      ownerPhoneNumber: '+49 151 0000000',
      clinicPhoneNumber: '030 1111111',
      version: 1,
      status: 'none',
      subscription: null,
      owner: { email: `happy-${tag}@example.com`, fullName: 'Hanna Happy' },
      country: { code: 'DE', name: 'Germany', callingCode: '49' },
      staffCounts: { doctors: 0, receptionists: 0 },
    });
    expect(clinic.owner.id).toBe(clinic.ownerUserId);
    expect(await vz.clinics.get(clinic.id)).toEqual(clinic);

    const owner = await vz.users.get(clinic.ownerUserId);
    expect(owner).toMatchObject({ role: 'clinic_owner', hasPassword: false });
    const staff = await admin.query(
      'select role from clinic_staff where clinic_id = $1 and user_id = $2 and is_active',
      [clinic.id, clinic.ownerUserId],
    );
    expect(staff.rows).toEqual([{ role: 'clinic_owner' }]);
    const counters = await admin.query('select 1 from clinic_counters where clinic_id = $1', [
      clinic.id,
    ]);
    expect(counters.rowCount).toBe(1);
  });

  it("hashes the owner's password when given, and never returns it", async () => {
    const password = 'a long enough secret';
    const clinic = await createClinic(vz, {
      owner: { email: `pw-${unique()}@example.com`, fullName: 'Pat Word', password },
    });
    const printed = inspect(clinic, { depth: 10 });
    expect(printed).not.toContain(password);
    expect(printed).not.toContain('scrypt');
    const user = await vz.users.verifyPassword(clinic.owner.email, password);
    expect(user?.id).toBe(clinic.ownerUserId);
  });

  it('leaves no user row when the country is unknown (ValidationError on countryCode)', async () => {
    const email = `nowhere-${unique()}@example.com`;
    const attempt = createClinic(vz, {
      countryCode: 'ZZ',
      owner: { email, fullName: 'No Where' },
    });
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({ field: 'countryCode' });
    expect(await userCount(email)).toBe(0);
  });

  it('refuses a taken owner email (ConflictError on email) and leaves no clinic behind', async () => {
    const first = await createClinic(vz);
    const before = await admin.query('select count(*)::int as n from clinics');
    const password = 'never shown anywhere';
    const error = await createClinic(vz, {
      owner: { email: first.owner.email.toUpperCase(), fullName: 'Copy Cat', password },
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ field: 'email' });
    expect(inspect(error, { depth: 20 })).not.toContain(password);
    const after = await admin.query('select count(*)::int as n from clinics');
    expect(after.rows).toEqual(before.rows);
    expect(await userCount(first.owner.email)).toBe(1);
  });

  it('names each bad field', async () => {
    await expect(createClinic(vz, { clinicName: '  ' })).rejects.toMatchObject({
      field: 'clinicName',
    });
    await expect(createClinic(vz, { ownerPhoneNumber: 'no digits' })).rejects.toMatchObject({
      field: 'ownerPhoneNumber',
    });
    await expect(createClinic(vz, { countryCode: 'Germany' })).rejects.toMatchObject({
      field: 'countryCode',
    });
    await expect(
      createClinic(vz, { owner: { email: 'bad', fullName: 'Bad Email' } }),
    ).rejects.toMatchObject({ field: 'owner.email' });
    await expect(
      createClinic(vz, {
        owner: { email: `x-${unique()}@example.com`, fullName: 'X', password: '1' },
      }),
    ).rejects.toMatchObject({ field: 'owner.password' });
  });
});

describe('clinics.get', () => {
  it('returns owner, country, open subscription, status and active staff counts in one statement', async () => {
    const clinic = await createClinic(vz, { countryCode: 'FR' });
    const staff = [
      ['doctor', true],
      ['doctor', false],
      ['receptionist', true],
      ['receptionist', true],
    ] as const;
    for (const [role, active] of staff) {
      const user = await vz.users.create({
        email: `${unique()}@example.com`,
        fullName: role,
        role,
      });
      await admin.query(
        `insert into clinic_staff (clinic_id, user_id, role, is_active, deactivated_at)
         values ($1, $2, $3, $4, case when $4 then null else now() end)`,
        [clinic.id, user.id, role, active],
      );
    }
    const record = await activate(clinic.id);

    const { result, statements } = await countStatements(queries, () => vz.clinics.get(clinic.id));
    expect(statements).toBe(1);
    expect(result).toMatchObject({
      id: clinic.id,
      status: 'active',
      country: { code: 'FR', name: 'France', callingCode: '33' },
      staffCounts: { doctors: 1, receptionists: 2 },
      subscription: {
        id: record.id,
        groupId: record.groupId,
        subscriptionTypeId: 1,
        paymentMethodId: 1,
        status: 'active',
        startsOn: record.startsOn,
        endsOn: record.endsOn,
        amount: '49.00',
      },
    });
  });

  it('throws NotFoundError for an unknown clinic', async () => {
    await expect(vz.clinics.get(987_654)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('clinics.update', () => {
  it('changes the given fields only and bumps the version, in one statement', async () => {
    const clinic = await createClinic(vz);
    const { result, statements } = await countStatements(queries, () =>
      vz.clinics.update(clinic.id, { version: 1, clinicName: 'Renamed', countryCode: 'AT' }),
    );
    expect(statements).toBe(1);
    expect(result).toMatchObject({
      clinicName: 'Renamed',
      countryCode: 'AT',
      country: { name: 'Austria', callingCode: '43' },
      ownerPhoneNumber: clinic.ownerPhoneNumber,
      clinicPhoneNumber: clinic.clinicPhoneNumber,
      version: 2,
    });
    expect(result.updatedAt.getTime()).toBeGreaterThanOrEqual(clinic.updatedAt.getTime());
    expect(await vz.clinics.get(clinic.id)).toEqual(result);
  });

  it('refuses a stale version with ConflictError on version and changes nothing', async () => {
    const clinic = await createClinic(vz);
    await vz.clinics.update(clinic.id, { version: 1, clinicPhoneNumber: '111' });
    const attempt = vz.clinics.update(clinic.id, { version: 1, clinicName: 'Lost update' });
    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
    await expect(attempt).rejects.toMatchObject({ field: 'version' });
    const current = await vz.clinics.get(clinic.id);
    expect(current).toMatchObject({ clinicName: clinic.clinicName, version: 2 });
  });

  it('throws NotFoundError for an unknown clinic and names bad fields', async () => {
    await expect(
      vz.clinics.update(987_654, { version: 1, clinicName: 'Ghost' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    const clinic = await createClinic(vz);
    await expect(
      vz.clinics.update(clinic.id, { version: 1, countryCode: 'ZZ' }),
    ).rejects.toMatchObject({ field: 'countryCode' });
    await expect(vz.clinics.update(clinic.id, { version: 1 })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      vz.clinics.update(clinic.id, { version: 1, clinicPhoneNumber: 'none' }),
    ).rejects.toMatchObject({ field: 'clinicPhoneNumber' });
    expect((await vz.clinics.get(clinic.id)).version).toBe(1);
  });
});

describe('clinics.update returning the clinic only', () => {
  it("returns the clinic's own columns, new version and phones, in one statement", async () => {
    const clinic = await createClinic(vz);
    const { result, statements } = await countStatements(queries, () =>
      vz.clinics.update(
        clinic.id,
        { version: 1, clinicPhoneNumber: '+43 1 555 0101', ownerPhoneNumber: '0664 1234' },
        { returning: 'clinic' },
      ),
    );
    expect(statements).toBe(1);
    expect(result).toEqual({
      id: clinic.id,
      clinicName: clinic.clinicName,
      countryCode: clinic.countryCode,
      ownerUserId: clinic.ownerUserId,
      ownerPhoneNumber: '0664 1234',
      clinicPhoneNumber: '+43 1 555 0101',
      version: 2,
      createdAt: clinic.createdAt,
      updatedAt: expect.any(Date),
    });
    const { owner, country, staffCounts, status, subscription, ...fields } = await vz.clinics.get(
      clinic.id,
    );
    expect(fields).toEqual(result);
    expect(await vz.clinics.update(clinic.id, { version: 2, clinicName: 'Detail' })).toMatchObject({
      clinicName: 'Detail',
      version: 3,
      owner: { id: clinic.ownerUserId },
    });
  });

  it('refuses a stale version and an unknown option like the detail update', async () => {
    const clinic = await createClinic(vz);
    await expect(
      vz.clinics.update(clinic.id, { version: 7, clinicName: 'x' }, { returning: 'clinic' }),
    ).rejects.toMatchObject({ field: 'version' });
    await expect(
      vz.clinics.update(987_654, { version: 1, clinicName: 'x' }, { returning: 'clinic' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      // @ts-expect-error: not a returning shape
      vz.clinics.update(clinic.id, { version: 1, clinicName: 'x' }, { returning: 'everything' }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('changes phones as heap-only (HOT) updates: no index covers a phone column', async () => {
    const { rows: indexed } = await admin.query<{ index: string }>(
      `select i.indexrelid::regclass::text as index
       from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any (i.indkey)
       where i.indrelid = 'clinics'::regclass
         and a.attname in ('owner_phone_number', 'clinic_phone_number')`,
    );
    expect(indexed).toEqual([]);
    const clinic = await createClinic(vz);
    let version = 1;
    for (const phone of ['111 1', '222 2', '333 3']) {
      ({ version } = await vz.clinics.update(
        clinic.id,
        { version, clinicPhoneNumber: phone },
        { returning: 'clinic' },
      ));
    }
    expect(version).toBe(4);
    expect((await vz.clinics.get(clinic.id)).clinicPhoneNumber).toBe('333 3');
    // The same UPDATE in one transaction, whose own counters are exact (the shared
    // statistics view only sees a writer's counts after it has been idle a while).
    const hotUpdates = async () => {
      const { rows } = await admin.query<{ n: number }>(
        `select pg_stat_get_xact_tuples_hot_updated('clinics'::regclass)::int as n`,
      );
      return rows[0]?.n ?? -1;
    };
    const update = (set: string) =>
      admin.query(
        `update clinics set ${set}, version = version + 1, updated_at = now() where id = $1`,
        [clinic.id],
      );
    await admin.query('begin');
    try {
      await update(`owner_phone_number = '444 4', clinic_phone_number = '555 5'`);
      expect(await hotUpdates()).toBe(1);
      await update(`clinic_name = 'Renamed for HOT'`); // the trigram index holds the name
      expect(await hotUpdates()).toBe(1);
    } finally {
      await admin.query('rollback');
    }
  });
});

describe('clinics.list', () => {
  it('returns a page of 20 with subscriptions and statuses in one statement, newest first', async () => {
    for (let i = 0; i < 21; i++) await createClinic(vz);
    const { result, statements } = await countStatements(queries, () => vz.clinics.list());
    expect(statements).toBe(1);
    expect(result.items).toHaveLength(20);
    expect(result.nextCursor).not.toBeNull();
    const ids = result.items.map((item) => item.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    for (const item of result.items) {
      expect(item).toHaveProperty('status');
      expect(item).toHaveProperty('subscription');
    }
  });

  it('walks every clinic across pages without duplicates or gaps', async () => {
    const { rows } = await admin.query<{ id: number }>('select id from clinics order by id desc');
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await vz.clinics.list({ limit: 7, cursor });
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(rows.map((row) => row.id));
  });

  it('matches %, _ and \\ in the search text literally and ignores case', async () => {
    const tag = unique();
    const names = [
      `${tag} 100% Vet`,
      `${tag} 1000 Vet`,
      `${tag} Best_Care`,
      `${tag} BestXCare`,
      `${tag} Back\\slash`,
      `${tag} Backslash`,
    ];
    const byName = new Map<string, number>();
    for (const clinicName of names)
      byName.set(clinicName, (await createClinic(vz, { clinicName })).id);
    const search = async (text: string) =>
      (await vz.clinics.list({ search: `${tag} ${text}` })).items.map((item) => item.clinicName);

    expect(await search('100%')).toEqual([`${tag} 100% Vet`]);
    expect(await search('Best_C')).toEqual([`${tag} Best_Care`]);
    expect(await search('Back\\s')).toEqual([`${tag} Back\\slash`]);
    expect((await search('')).sort()).toEqual([...names].sort());
    expect(await vz.clinics.list({ search: `${tag.toUpperCase()} BESTX` })).toMatchObject({
      items: [{ id: byName.get(`${tag} BestXCare`) }],
    });
  });

  it('finds a renamed clinic by its new name in any case, accents included, and not by its old one', async () => {
    const tag = unique();
    const clinic = await createClinic(vz, { clinicName: `Oldname${tag} Vet` });
    await vz.clinics.update(clinic.id, { version: 1, clinicName: `Clinique Vétérinaire ${tag}` });
    const ids = async (search: string) =>
      (await vz.clinics.list({ search })).items.map((item) => item.id);
    for (const term of [`VÉTÉRINAIRE ${tag.toUpperCase()}`, `ÉRINAIRE ${tag}`])
      expect({ term, ids: await ids(term) }).toEqual({ term, ids: [clinic.id] });
    expect(await ids(`oldname${tag}`)).toEqual([]);
  });

  it('finds terms without a trigram (short, or split by spaces)', async () => {
    const { id } = await createClinic(vz, { clinicName: `${unique()} Haÿx Qu Vet` });
    for (const term of ['ŸX', 'ÿx q', 'x Q'])
      expect((await vz.clinics.list({ search: term })).items.map((item) => item.id)).toEqual([id]);
  });

  it('finds a rare trigram term past the newest clinics and pages it, one prepared statement', async () => {
    const term = `Rarename${unique()}`;
    const older = await createClinic(vz, { clinicName: `Older ${term} Vet` });
    for (let i = 0; i < 25; i++) await createClinic(vz);
    const newer = await createClinic(vz, { clinicName: `${term.toUpperCase()} Newer` });
    // limit 1 reads the newest 20 clinics first: the term is not there, so the GIN index.
    for (let i = 0; i < 25; i++) await createClinic(vz);
    const from = statementNames.length;
    const first = await vz.clinics.list({ search: term.toLowerCase(), limit: 1 });
    expect(statementNames.slice(from)).toEqual(['platform.clinics.list:search']);
    expect(first.items.map((item) => item.id)).toEqual([newer.id]);
    expect(first.items[0]).toHaveProperty('status', 'none');
    const second = await vz.clinics.list({
      search: term.toLowerCase(),
      limit: 1,
      cursor: first.nextCursor ?? undefined,
    });
    expect(second.items.map((item) => item.id)).toEqual([older.id]);
    expect(second.nextCursor).toBeNull();
  });

  it('pages a common trigram term and a term without a trigram, newest first', async () => {
    const tag = unique();
    const ids: number[] = [];
    for (let i = 0; i < 5; i++)
      ids.unshift((await createClinic(vz, { clinicName: `Common${tag} ǭǭ ${i}` })).id);
    const walk = async (search: string) => {
      const seen: number[] = [];
      const names = new Set<string | undefined>();
      let cursor: string | undefined;
      do {
        const from = statementNames.length;
        const page = await vz.clinics.list({ search, limit: 2, cursor });
        for (const name of statementNames.slice(from)) names.add(name);
        seen.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return { seen, names: [...names] };
    };
    expect(await walk(`common${tag}`)).toEqual({
      seen: ids,
      names: ['platform.clinics.list:search'],
    });
    expect(await walk('ǭǭ')).toEqual({ seen: ids, names: ['platform.clinics.list:search-walk'] });
  });

  it('finds a trigram term whether the window of newest clinics holds it or only the whole index does', async () => {
    const tag = unique();
    const match = async () => (await createClinic(vz, { clinicName: `Stage${tag} Vet` })).id;
    const fillers = async (count: number) => {
      for (let i = 0; i < count; i++) await createClinic(vz, { clinicName: `Filler ${tag} ${i}` });
    };
    // Pages of 2: the window is the newest max(20, sqrt(2 x highest id)) clinics,
    // under 120 while the test database holds fewer than 7,200; the older
    // matches are the index's.
    const oldest = await match();
    await fillers(250);
    const [older, newer] = [await match(), await match()];
    await fillers(120);
    const newest = await match();
    for (const filter of [{}, { status: 'none' as const }]) {
      const seen: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await vz.clinics.list({ search: `stage${tag}`, ...filter, limit: 2, cursor });
        seen.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect({ filter, seen }).toEqual({ filter, seen: [newest, newer, older, oldest] });
    }
  });

  it('combines a search with status and country in each prepared shape, across pages', async () => {
    const tag = unique();
    const make = async (countryCode: string, active: boolean) => {
      const clinic = await createClinic(vz, { clinicName: `Combo${tag} ǭ-ǭ`, countryCode });
      if (active) await activate(clinic.id);
      return { id: clinic.id, countryCode, status: active ? 'active' : 'none' };
    };
    const made = [
      await make('IE', true),
      await make('PT', true),
      await make('PT', false),
      await make('IE', false),
      await make('PT', true),
    ];
    const filters = [
      {},
      { status: 'active' as const },
      { countryCode: 'PT' },
      { status: 'none' as const, countryCode: 'IE' },
    ];
    for (const [search, shape] of [
      [`combo${tag}`, 'platform.clinics.list:search'],
      ['ǭ-ǭ', 'platform.clinics.list:search-walk'],
    ] as const) {
      for (const filter of filters) {
        const expected = made
          .filter((clinic) => !filter.status || clinic.status === filter.status)
          .filter((clinic) => !filter.countryCode || clinic.countryCode === filter.countryCode)
          .map((clinic) => clinic.id)
          .reverse();
        const seen: number[] = [];
        let cursor: string | undefined;
        do {
          const from = statementNames.length;
          const page = await vz.clinics.list({ search, ...filter, limit: 1, cursor });
          const name = `${shape}${filter.status ? '-status' : ''}${filter.countryCode ? '-country' : ''}`;
          expect(statementNames.slice(from)).toEqual([name]);
          for (const item of page.items) expect(item.status).toBe(filter.status ?? item.status);
          seen.push(...page.items.map((item) => item.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        expect({ search, filter, seen }).toEqual({ search, filter, seen: expected });
      }
    }
  });

  it('filters by derived status and country, also combined, across pages', async () => {
    const made = {
      active: [] as number[],
      suspended: [] as number[],
      expired: [] as number[],
      none: [] as number[],
    };
    for (let i = 0; i < 3; i++) {
      const active = await createClinic(vz, { countryCode: 'NZ' });
      await activate(active.id);
      made.active.push(active.id);
      const suspended = await createClinic(vz, { countryCode: 'NZ' });
      await activate(suspended.id);
      await vz.subscriptions.suspend(suspended.id, { suspendedBy: operator.id });
      made.suspended.push(suspended.id);
      const expired = await createClinic(vz, { countryCode: 'NZ' });
      await activate(expired.id);
      await endOpenPeriod(admin, expired.id);
      made.expired.push(expired.id);
      made.none.push((await createClinic(vz, { countryCode: 'NZ' })).id);
    }
    for (const status of ['active', 'suspended', 'expired', 'none'] as const) {
      const ids: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await vz.clinics.list({ status, countryCode: 'nz', limit: 2, cursor });
        for (const item of page.items) {
          expect(item.status).toBe(status);
          expect(item.countryCode).toBe('NZ');
        }
        ids.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(ids).toEqual([...made[status]].sort((a, b) => b - a));
    }
    const onlyNz = await vz.clinics.list({ countryCode: 'NZ', limit: 100 });
    expect(onlyNz.items).toHaveLength(12);
    const suspended = (await vz.clinics.list({ status: 'suspended', limit: 100 })).items;
    expect(suspended.map((item) => item.id)).toEqual(expect.arrayContaining(made.suspended));
    expect(suspended.every((item) => item.subscription?.status === 'suspended')).toBe(true);
  });

  it("returns the same clinics as brief and contact rows with columns: 'brief' and 'contact', for every filter and search shape", async () => {
    const tag = unique();
    const made = [];
    for (const countryCode of ['NZ', 'PT', 'NZ', 'PT']) {
      made.push(await createClinic(vz, { clinicName: `Brief ${tag} Vet`, countryCode }));
    }
    await activate((made[0] as (typeof made)[number]).id);
    await activate((made[1] as (typeof made)[number]).id);
    await vz.subscriptions.suspend((made[1] as (typeof made)[number]).id, {
      suspendedBy: operator.id,
    });
    const filters = [
      {},
      { status: 'active' as const },
      { countryCode: 'PT' },
      { status: 'none' as const, countryCode: 'NZ' },
    ];
    for (const search of [undefined, `brief ${tag}`, 'f ']) {
      for (const filter of filters) {
        const options = { ...filter, ...(search ? { search } : {}), limit: 100 };
        const summaries = (await vz.clinics.list(options)).items;
        // One statement, the columns' variant of the filter's shape.
        const listed = async <Columns extends 'brief' | 'contact'>(columns: Columns) => {
          const from = statementNames.length;
          const page = await vz.clinics.list({ ...options, columns });
          expect(statementNames.slice(from)).toEqual([expect.stringMatching(`[:-]${columns}$`)]);
          return page.items;
        };
        expect(await listed('brief')).toEqual(
          summaries.map((clinic) => ({
            id: clinic.id,
            clinicName: clinic.clinicName,
            countryCode: clinic.countryCode,
            clinicPhoneNumber: clinic.clinicPhoneNumber,
            status: clinic.status,
            subscriptionTypeId: clinic.subscription?.subscriptionTypeId ?? null,
            endsOn: clinic.subscription?.endsOn ?? null,
          })),
        );
        expect(await listed('contact')).toEqual(
          summaries.map((clinic) => ({
            id: clinic.id,
            clinicName: clinic.clinicName,
            clinicPhoneNumber: clinic.clinicPhoneNumber,
          })),
        );
      }
    }
    const suspended = await vz.clinics.list({
      search: `brief ${tag}`,
      status: 'suspended',
      columns: 'brief',
    });
    expect(suspended.items).toEqual([
      expect.objectContaining({ id: made[1]?.id, status: 'suspended', subscriptionTypeId: 1 }),
    ]);
  });

  it('refuses a bad cursor, limit or status with a ValidationError naming it', async () => {
    await expect(vz.clinics.list({ cursor: 'nonsense' })).rejects.toMatchObject({
      field: 'cursor',
    });
    await expect(vz.clinics.list({ limit: 101 })).rejects.toMatchObject({ field: 'limit' });
    await expect(vz.clinics.list({ limit: 0 })).rejects.toMatchObject({ field: 'limit' });
    await expect(
      // @ts-expect-error: not a status
      vz.clinics.list({ status: 'paused' }),
    ).rejects.toMatchObject({ field: 'status' });
  });
});

describe('clinics.status', () => {
  it('costs one statement on a miss and none on a hit', async () => {
    const clinic = await createClinic(vz);
    const miss = await countStatements(queries, () => vz.clinics.status(clinic.id));
    expect(miss).toEqual({ result: 'none', statements: 1 });
    const hit = await countStatements(queries, () => vz.clinics.status(clinic.id));
    expect(hit).toEqual({ result: 'none', statements: 0 });
  });

  it('reads expired once the end date has passed without any write', async () => {
    const clinic = await createClinic(vz);
    await activate(clinic.id);
    await endOpenPeriod(admin, clinic.id);
    expect(await vz.clinics.status(clinic.id)).toBe('expired');
    expect((await vz.clinics.get(clinic.id)).status).toBe('expired');
  });

  it('throws NotFoundError for an unknown clinic, and does not cache that', async () => {
    await expect(vz.clinics.status(987_654)).rejects.toBeInstanceOf(NotFoundError);
    const again = await countStatements(queries, () =>
      vz.clinics.status(987_654).catch((error: unknown) => error),
    );
    expect(again.statements).toBe(1);
  });
});
