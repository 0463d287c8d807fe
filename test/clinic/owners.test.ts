import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatCode } from '../../src/clinic/codes.js';
import { ConflictError, NotFoundError, ValidationError, type Vetalyze } from '../../src/index.js';
import { countStatements } from '../helpers/database.js';
import { insertClinic, setUpClinicTests } from './helpers.js';

let vz: Vetalyze;
let pool: pg.Pool;
let queries: string[];
let clinicId: number;

beforeAll(async () => {
  ({ vz, pool, queries } = await setUpClinicTests());
  ({ clinicId } = await insertClinic(pool));
});

describe('owners.create', () => {
  it('creates an owner with pets in one statement, with per-clinic codes', async () => {
    const clinic = vz.forClinic(clinicId);
    await clinic.owners.list(); // caches the clinic's facts
    const { result: owner, statements } = await countStatements(queries, () =>
      clinic.owners.create({
        fullName: '  Anna Müller ',
        phoneNumber: '+49 170 123-4567',
        email: 'anna@example.com',
        pets: [
          { name: 'Bello', petTypeId: 1, sex: 'male', birthDate: '2019-04-01' },
          { name: 'Mimi', petTypeId: 2, microchip: '276 0981 0012 3456' },
          { name: 'Hops', petTypeId: 3 },
        ],
      }),
    );
    expect(statements).toBe(1);
    expect(owner).toMatchObject({
      code: 'O-000001',
      fullName: 'Anna Müller',
      phoneNumber: '+49 170 123-4567',
      email: 'anna@example.com',
      address: null,
      version: 1,
    });
    expect(owner.createdAt).toBeInstanceOf(Date);
    expect(owner.pets.map((pet) => [pet.code, pet.name, pet.ownerId])).toEqual([
      ['P-000001', 'Bello', owner.id],
      ['P-000002', 'Mimi', owner.id],
      ['P-000003', 'Hops', owner.id],
    ]);
    expect(owner.pets[0]).toMatchObject({
      sex: 'male',
      birthDate: '2019-04-01',
      isDeceased: false,
    });
    expect(owner.pets[1]?.microchip).toBe('276098100123456');
    expect(owner.pets[2]?.sex).toBe('unknown');
    const { rows } = await pool.query('select phone_digits from owners where id = $1', [owner.id]);
    expect(rows[0].phone_digits).toBe('1701234567');
  });

  it('creates an owner without pets', async () => {
    const owner = await vz.forClinic(clinicId).owners.create({ fullName: 'Bob' });
    expect(owner.pets).toEqual([]);
    expect(owner.phoneNumber).toBeNull();
  });

  it("returns only the id and code with returning: 'ref', after the same writes, in one statement", async () => {
    const clinic = vz.forClinic(clinicId);
    const input = {
      fullName: 'Clara Ref',
      phoneNumber: '+49 170 765-4321',
      pets: [
        { name: 'Luna', petTypeId: 1, birthDate: '2021-05-05' },
        { name: 'Max', petTypeId: 2 },
      ],
    };
    const { result: ref, statements } = await countStatements(queries, () =>
      clinic.owners.create(input, { returning: 'ref' }),
    );
    expect(statements).toBe(1);
    expect(Object.keys(ref).sort()).toEqual(['code', 'id']);
    const stored = await clinic.owners.get(ref.id);
    expect(ref).toEqual({ id: stored.id, code: stored.code });
    // The same owner and pets as the full create writes, codes following on.
    const full = await clinic.owners.create(input);
    const fields = ({ id, code, createdAt, updatedAt, pets, ...rest }: typeof full) => ({
      ...rest,
      pets: pets.map(({ id: _id, code: _code, ownerId: _owner, ...pet }) => pet),
    });
    expect(fields(stored)).toEqual(fields(full));
    expect(Number(full.code.slice(2))).toBe(Number(ref.code.slice(2)) + 1);
  });

  it('refuses an unknown returning or option, naming it, before any statement', async () => {
    const owners = vz.forClinic(clinicId).owners;
    for (const [options, field] of [
      [{ returning: 'everything' }, 'returning'],
      [{ retuning: 'ref' }, 'retuning'],
    ] as const) {
      const { result, statements } = await countStatements(queries, () =>
        owners.create({ fullName: 'Nobody' }, options as never).catch((error: unknown) => error),
      );
      expect(statements).toBe(0);
      expect(result).toBeInstanceOf(ValidationError);
      expect((result as ValidationError).issues.map((issue) => issue.field)).toEqual([field]);
    }
  });
});

describe('owners.get', () => {
  it('returns the owner with its pets in one statement', async () => {
    const clinic = vz.forClinic(clinicId);
    const created = await clinic.owners.create({
      fullName: 'Carla',
      pets: [{ name: 'Rex', petTypeId: 1 }],
    });
    const { result, statements } = await countStatements(queries, () =>
      clinic.owners.get(created.id),
    );
    expect(statements).toBe(1);
    expect(result).toEqual(created);
  });

  it('throws NotFoundError for an id that does not exist', async () => {
    await expect(vz.forClinic(clinicId).owners.get(999_999)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('owners.update', () => {
  it('changes the given fields, recomputes the phone digits and bumps the version', async () => {
    const clinic = vz.forClinic(clinicId);
    const created = await clinic.owners.create({ fullName: 'Dora', phoneNumber: '030 1234567' });
    const updated = await clinic.owners.update(created.id, {
      version: created.version,
      phoneNumber: '0049 171 7654321',
      notes: 'prefers mornings',
    });
    expect(updated).toMatchObject({
      fullName: 'Dora',
      phoneNumber: '0049 171 7654321',
      notes: 'prefers mornings',
      version: 2,
    });
    const { rows } = await pool.query('select phone_digits from owners where id = $1', [
      created.id,
    ]);
    expect(rows[0].phone_digits).toBe('1717654321');
    const cleared = await clinic.owners.update(created.id, { version: 2, phoneNumber: null });
    expect(cleared.phoneNumber).toBeNull();
  });

  it('refuses a stale version with ConflictError naming version', async () => {
    const clinic = vz.forClinic(clinicId);
    const created = await clinic.owners.create({ fullName: 'Emil' });
    await clinic.owners.update(created.id, { version: 1, fullName: 'Emil K.' });
    const error = await clinic.owners
      .update(created.id, { version: 1, fullName: 'Emil X.' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).field).toBe('version');
    expect((await clinic.owners.get(created.id)).fullName).toBe('Emil K.');
  });
});

describe('owners.remove', () => {
  it('archives the owner and its pets: gone from get, list, search; rows kept', async () => {
    const clinic = vz.forClinic(clinicId);
    const created = await clinic.owners.create({
      fullName: 'Zacharias Archivable',
      pets: [
        { name: 'Old', petTypeId: 1 },
        { name: 'Older', petTypeId: 2 },
      ],
    });
    await clinic.owners.remove(created.id);
    await expect(clinic.owners.get(created.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(clinic.owners.remove(created.id)).rejects.toBeInstanceOf(NotFoundError);
    const page = await clinic.owners.list({ limit: 100 });
    expect(page.items.map((owner) => owner.id)).not.toContain(created.id);
    const found = await clinic.owners.search({ name: 'Archivable' });
    expect(found.items).toEqual([]);
    await expect(clinic.pets.get(created.pets[0]?.id ?? 0)).rejects.toBeInstanceOf(NotFoundError);
    const { rows } = await pool.query(
      `select (select count(*)::int from owners where id = $1 and archived_at is not null) as owners,
              (select count(*)::int from pets where owner_id = $1 and archived_at is not null) as pets`,
      [created.id],
    );
    expect(rows[0]).toEqual({ owners: 1, pets: 2 });
  });
});

describe('owners.list', () => {
  it('pages newest first with a cursor, one statement per page', async () => {
    const { clinicId: otherClinic } = await insertClinic(pool);
    const clinic = vz.forClinic(otherClinic);
    const created = [];
    for (let i = 0; i < 45; i++) {
      created.push(
        await clinic.owners.create({
          fullName: `Owner ${i}`,
          pets: [{ name: `Pet ${i}`, petTypeId: 1 }],
        }),
      );
    }
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const { result, statements } = await countStatements(queries, () =>
        clinic.owners.list({ withPetNames: true, ...(cursor ? { cursor } : {}) }),
      );
      expect(statements).toBe(1);
      pages++;
      for (const owner of result.items) {
        seen.push(owner.id);
        // The page's fields (its code made in JS) are the ones create returned.
        const { pets, ...fields } = created.find((made) => made.id === owner.id) ?? {};
        expect(owner).toEqual({ ...fields, petNames: pets?.map((pet) => pet.name) });
      }
      cursor = result.nextCursor ?? undefined;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(created.map((owner) => owner.id).reverse());
    // Without the option the page leaves the pets out: the seed's "list owners".
    const plain = await clinic.owners.list({ limit: 2 });
    expect(plain.items).toHaveLength(2);
    for (const owner of plain.items) expect(owner).not.toHaveProperty('petNames');
    const named = await clinic.owners.search({ name: 'a', limit: 2, withPetNames: true });
    for (const owner of named.items) expect(owner.petNames).toHaveLength(1);
  });
});

describe('owner codes', () => {
  it('are made by pages (formatCode) as by the statements (vz_code), past six digits too', async () => {
    const seqs = [1, 42, 999_999, 1_000_000, 1_234_567, 2_147_483_647];
    const { rows } = await pool.query<{ code: string }>(
      `select vz_code('O', s) as code from unnest($1::int[]) with ordinality as t(s, n) order by n`,
      [seqs],
    );
    expect(rows.map((row) => row.code)).toEqual(seqs.map((seq) => formatCode('O', seq)));
  });
});

describe('owners.search', () => {
  let searchClinic: number;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    ({ clinicId: searchClinic } = await insertClinic(pool));
    const clinic = vz.forClinic(searchClinic);
    const make = async (key: string, fullName: string, phoneNumber?: string) => {
      ids[key] = (await clinic.owners.create({ fullName, phoneNumber })).id;
    };
    await make('mobile', 'Hanna Schröder', '+49 170 123-4567');
    await make('landline', 'Jens Becker', '030 98765432');
    await make('percent', '100% Tierlieb GmbH');
    await make('underscore', 'Max_Mustermann');
    await make('backslash', 'Back\\slash Kennel');
    await make('plain', '100 Pfoten');
    await make('maxm', 'Maxi Mustermann');
    await make('umlaut', 'Jürgen Müller');
  });

  const names = async (query: { name: string }) => {
    const page = await vz.forClinic(searchClinic).owners.search(query);
    return page.items.map((owner) => owner.fullName).sort();
  };

  it.each([
    '+49 170 123-4567',
    '0049 170 1234567',
    '0170 1234567',
    '1701234567',
    '170 123',
    '4567',
    '(0170) 123 4567',
  ])('finds the mobile owner by phone %s', async (phone) => {
    const page = await vz.forClinic(searchClinic).owners.search({ phone });
    expect(page.items.map((owner) => owner.id)).toEqual([ids.mobile]);
  });

  it('finds a landline by its area code and by its last digits, not by the country code', async () => {
    const clinic = vz.forClinic(searchClinic);
    const byArea = await clinic.owners.search({ phone: '+49 30 987' });
    expect(byArea.items.map((owner) => owner.id)).toEqual([ids.landline]);
    const bySuffix = await clinic.owners.search({ phone: '5432' });
    expect(bySuffix.items.map((owner) => owner.id)).toEqual([ids.landline]);
    const byCountryCode = await clinic.owners.search({ phone: '+49 999' });
    expect(byCountryCode.items).toEqual([]);
  });

  it('finds by prefix or suffix ending in 9 exactly, as one prepared statement', async () => {
    const { clinicId: phoneClinic } = await insertClinic(pool);
    const clinic = vz.forClinic(phoneClinic);
    const make = async (phoneNumber: string) =>
      (await clinic.owners.create({ fullName: 'Phone', phoneNumber })).id;
    const nine = await make('0309 1234'); // 3091234
    const ten = await make('0310 5559'); // 3105559
    const before = await make('0308 8889'); // 3088889
    const ids = async (phone: string) =>
      (await clinic.owners.search({ phone })).items.map((owner) => owner.id);
    expect(await ids('309')).toEqual([nine]);
    expect(await ids('0309')).toEqual([nine]);
    expect(await ids('310')).toEqual([ten]);
    expect(await ids('5559')).toEqual([ten]);
    expect(await ids('889')).toEqual([before]);
    expect(await ids('3089')).toEqual([]);
    const from = queries.length;
    const page = await clinic.owners.search({ phone: '559', limit: 1 });
    expect(page.items.map((owner) => owner.id)).toEqual([ten]);
    expect(queries.slice(from)).toHaveLength(1);
    expect(queries[from]).toContain('~>=~');
  });

  it("returns only id, code, name and phone with columns: 'contact', the same owners as summaries", async () => {
    const clinic = vz.forClinic(searchClinic);
    for (const search of [{ phone: '4567' }, { name: 'mus' }, { name: 'x' }]) {
      const summaries = await clinic.owners.search(search);
      const contacts = await clinic.owners.search({ ...search, columns: 'contact' });
      // Narrow on the wire too, not only after row validation drops the rest.
      expect(queries.at(-1)).not.toMatch(/o\.(email|address|notes|version)/);
      expect(contacts.items.length).toBeGreaterThan(0);
      expect(contacts.items).toEqual(
        summaries.items.map(({ id, code, fullName, phoneNumber }) => ({
          id,
          code,
          fullName,
          phoneNumber,
        })),
      );
    }
  });

  it("lists the same owners as contacts with columns: 'contact', page by page", async () => {
    const clinic = vz.forClinic(searchClinic);
    const first = await clinic.owners.list({ limit: 3, columns: 'contact' });
    expect(queries.at(-1)).not.toMatch(/o\.(email|address|notes|version)/);
    const next = await clinic.owners.list({
      limit: 3,
      columns: 'contact',
      cursor: first.nextCursor ?? undefined,
    });
    const summaries = await clinic.owners.list({ limit: 6 });
    expect([...first.items, ...next.items]).toEqual(
      summaries.items.map(({ id, code, fullName, phoneNumber }) => ({
        id,
        code,
        fullName,
        phoneNumber,
      })),
    );
  });

  it("refuses pet names with columns: 'contact', naming withPetNames", async () => {
    await expect(
      vz
        .forClinic(searchClinic)
        .owners.search({ phone: '4567', columns: 'contact', withPetNames: true }),
    ).rejects.toMatchObject({ issues: [{ field: 'withPetNames' }] });
  });

  it('matches %, _ and \\ in a name literally', async () => {
    expect(await names({ name: '%' })).toEqual(['100% Tierlieb GmbH']);
    expect(await names({ name: '100%' })).toEqual(['100% Tierlieb GmbH']);
    expect(await names({ name: '_' })).toEqual(['Max_Mustermann']);
    expect(await names({ name: 'x_m' })).toEqual(['Max_Mustermann']);
    expect(await names({ name: '\\' })).toEqual(['Back\\slash Kennel']);
    expect(await names({ name: 'k\\s' })).toEqual(['Back\\slash Kennel']);
  });

  it('matches names case-insensitively as substrings, short terms too', async () => {
    expect(await names({ name: 'MUSTERMANN' })).toEqual(['Max_Mustermann', 'Maxi Mustermann']);
    expect(await names({ name: 'mÜl' })).toEqual(['Jürgen Müller']);
    expect(await names({ name: 'zq' })).toEqual([]);
    expect(await names({ name: 'ü' })).toEqual(['Jürgen Müller']);
    expect(await names({ name: 'ÜL' })).toEqual(['Jürgen Müller']);
    // No trigram in the term: the walk, not the index, and the same matches.
    expect(await names({ name: 'I m' })).toEqual(['Maxi Mustermann']);
  });

  it.each(['O-000003', 'o-3', '3', ' O3 '])('finds an owner by code %s', async (code) => {
    const page = await vz.forClinic(searchClinic).owners.search({ code });
    expect(page.items.map((owner) => owner.id)).toEqual([ids.percent]);
  });

  it('pages search results newest first with a cursor', async () => {
    const clinic = vz.forClinic(searchClinic);
    const first = await clinic.owners.search({ name: 'e', limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = await clinic.owners.search({
      name: 'e',
      limit: 100,
      cursor: first.nextCursor ?? '',
    });
    const all = [...first.items, ...second.items].map((owner) => owner.id);
    expect(all).toEqual([...all].sort((a, b) => b - a));
    expect(second.nextCursor).toBeNull();
  });
});

describe('codes under concurrency', () => {
  it('gives 100 parallel creates in one clinic 100 distinct codes, without error', async () => {
    const { clinicId: busy } = await insertClinic(pool);
    const clinic = vz.forClinic(busy);
    const owners = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        clinic.owners.create({
          fullName: `Parallel ${i}`,
          pets: [
            { name: `P${i}`, petTypeId: 1 },
            { name: `Q${i}`, petTypeId: 2 },
          ],
        }),
      ),
    );
    const ownerCodes = new Set(owners.map((owner) => owner.code));
    const petCodes = new Set(owners.flatMap((owner) => owner.pets.map((pet) => pet.code)));
    expect(ownerCodes.size).toBe(100);
    expect(petCodes.size).toBe(200);
    expect([...ownerCodes].sort()).toEqual(
      Array.from({ length: 100 }, (_, i) => `O-${String(i + 1).padStart(6, '0')}`),
    );
    const { rows } = await pool.query(
      'select last_owner_seq, last_pet_seq from clinic_counters where clinic_id = $1',
      [busy],
    );
    expect(rows[0]).toEqual({ last_owner_seq: 100, last_pet_seq: 200 });
  });
});
