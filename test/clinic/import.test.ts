import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OwnerImportRow } from '../../src/clinic/import.js';
import { ConflictError, ValidationError, type Vetalyze } from '../../src/index.js';
import { countStatements } from '../helpers/database.js';
import { insertClinic, setUpClinicTests } from './helpers.js';
import { ownerRow } from './names.js';

let vz: Vetalyze;
let pool: pg.Pool;
let queries: string[];

beforeAll(async () => {
  ({ vz, pool, queries } = await setUpClinicTests());
});

/** What clinic `clinicId` holds, by SQL. */
async function contents(clinicId: number) {
  const { rows } = await pool.query(
    `select (select count(*)::int from owners where clinic_id = $1) as owners,
            (select count(*)::int from pets where clinic_id = $1) as pets,
            (select last_owner_seq from clinic_counters where clinic_id = $1) as "lastOwnerSeq",
            (select last_pet_seq from clinic_counters where clinic_id = $1) as "lastPetSeq"`,
    [clinicId],
  );
  return rows[0];
}

const tenThousand = (): OwnerImportRow[] => Array.from({ length: 10_000 }, (_, i) => ownerRow(i));

describe('owners.import', () => {
  it('imports 10,000 owners with 15,000 pets in a few bulk statements, codes in row order', async () => {
    const { clinicId } = await insertClinic(pool);
    const scope = vz.forClinic(clinicId);
    await scope.owners.create({
      fullName: 'Before the import',
      pets: [{ name: 'x', petTypeId: 1 }],
    });
    const rows = tenThousand();
    const { result, statements } = await countStatements(queries, () => scope.owners.import(rows));
    expect(result).toEqual({
      owners: 10_000,
      pets: 15_000,
      firstOwnerCode: 'O-000002',
      lastOwnerCode: 'O-010001',
    });
    // Pet types, counter, 2 owner chunks, 3 pet chunks: no per-row round trips.
    expect(statements).toBeLessThanOrEqual(7);
    expect(await contents(clinicId)).toEqual({
      owners: 10_001,
      pets: 15_001,
      lastOwnerSeq: 10_001,
      lastPetSeq: 15_001,
    });
    const last = await scope.owners.search({ code: 'O-010001', withPetNames: true });
    const expected = rows[9_999];
    expect(last.items[0]).toMatchObject({
      fullName: expected?.fullName,
      phoneNumber: expected?.phoneNumber,
    });
    const lastOwner = await scope.owners.get(last.items[0]?.id ?? 0);
    expect(last.items[0]?.petNames).toEqual(expected?.pets?.map((pet) => pet.name));
    expect(lastOwner.pets.map((pet) => [pet.name, pet.birthDate])).toEqual(
      expected?.pets?.map((pet) => [pet.name, pet.birthDate]),
    );
    const byPhone = await scope.owners.search({ phone: expected?.phoneNumber ?? '' });
    expect(byPhone.items.map((owner) => owner.code)).toContain('O-010001');
  });

  it('writes nothing when the last of 10,000 rows is bad, and names its index', async () => {
    const { clinicId } = await insertClinic(pool);
    const rows = tenThousand();
    rows[9_999] = { fullName: 'Bad pet', pets: [{ name: '', petTypeId: 1 }] };
    const before = await contents(clinicId);
    const error = await vz
      .forClinic(clinicId)
      .owners.import(rows)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.field)).toEqual([
      '9999.pets.0.name',
    ]);
    expect(await contents(clinicId)).toEqual(before);
  });

  it('lists every bad row with its reasons, from an async iterable too', async () => {
    const { clinicId } = await insertClinic(pool);
    async function* rows(): AsyncGenerator<OwnerImportRow> {
      for (let i = 0; i < 500; i++) {
        if (i === 17) yield { fullName: '' };
        else if (i === 250) yield { fullName: 'Phone', phoneNumber: 'x', email: 'nope' };
        else if (i === 499) {
          yield {
            fullName: 'Chip',
            pets: [{ name: 'c', petTypeId: 1, microchip: '123456789012345' }],
          };
        } else if (i === 3) {
          yield {
            fullName: 'Chip',
            pets: [{ name: 'c', petTypeId: 1, microchip: '123456789012345' }],
          };
        } else yield ownerRow(i);
      }
    }
    const error = await vz
      .forClinic(clinicId)
      .owners.import(rows())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.field)).toEqual([
      '17.fullName',
      '250.phoneNumber',
      '250.email',
      '499.pets.0.microchip',
    ]);
    expect((await contents(clinicId)).owners).toBe(0);
  });

  it('rolls everything back when the database refuses a row part-way', async () => {
    const { clinicId } = await insertClinic(pool);
    const scope = vz.forClinic(clinicId);
    await scope.owners.create({
      fullName: 'Has the chip',
      pets: [{ name: 'Chipped', petTypeId: 1, microchip: '999888777666555' }],
    });
    const before = await contents(clinicId);
    const rows = tenThousand();
    rows[9_999] = {
      fullName: 'Clash',
      pets: [{ name: 'Dup', petTypeId: 1, microchip: '999888777666555' }],
    };
    const error = await scope.owners.import(rows).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    // Only the database sees the clash; the error still names the row.
    expect((error as ConflictError).field).toBe('9999.pets.0.microchip');
    expect(await contents(clinicId)).toEqual(before);
  });

  it('names the row of every kind of bad row: unknown pet type, NUL, lone surrogate, repeated chip', async () => {
    const { clinicId } = await insertClinic(pool);
    const rows: OwnerImportRow[] = [
      ownerRow(0),
      {
        fullName: 'Unknown type',
        pets: [
          { name: 'a', petTypeId: 1 },
          { name: 'b', petTypeId: 999 },
        ],
      },
      { fullName: 'Nul\u0000name' },
      { fullName: 'Lone \uD800 surrogate', notes: 'x\u0000' },
      { fullName: 'Chip A', pets: [{ name: 'c', petTypeId: 1, microchip: '123 456 789 012' }] },
      { fullName: 'Chip B', pets: [{ name: 'd', petTypeId: 2, microchip: '123456789012' }] },
      { fullName: 'Pet name NUL', pets: [{ name: 'e\u0000', petTypeId: 1 }] },
    ];
    const error = await vz
      .forClinic(clinicId)
      .owners.import(rows)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.field)).toEqual([
      '1.pets.1.petTypeId',
      '2.fullName',
      '3.fullName',
      '3.notes',
      '5.pets.0.microchip',
      '6.pets.0.name',
    ]);
    expect((await contents(clinicId)).owners).toBe(0);
  });

  it('imports nothing from an empty iterable', async () => {
    const { clinicId } = await insertClinic(pool);
    expect(await vz.forClinic(clinicId).owners.import([])).toEqual({
      owners: 0,
      pets: 0,
      firstOwnerCode: null,
      lastOwnerCode: null,
    });
  });
});
