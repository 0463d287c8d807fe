import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ClinicCallsRun, clinicScopeMethods, recordedScope } from '../../bench/citus/check.js';
import { type QueryEvent, statementLabel, type Vetalyze } from '../../src/index.js';
import { createTestVetalyze } from '../helpers/database.js';
import { loadParser, singleShardProblems } from '../helpers/single-shard.js';
import { createSqlPool, insertClinic, insertUser, type TestClinic } from './helpers.js';

/**
 * The check CI runs in place of a Citus cluster: every statement each public
 * clinic-scope method sends keeps to one shard, i.e. filters every tenant
 * table by the clinic-id parameter itself (test/helpers/single-shard.ts).
 * Each method is called on clinic A's own data and, as in the isolation
 * suite, from clinic B with A's ids (the not-found paths send other statements).
 */

let vz: Vetalyze;
let pool: pg.Pool;
let tenantTables: Set<string>;
let a: TestClinic;
let b: TestClinic;
const events: QueryEvent[] = [];
/** Each clinic-scope call, the statements it sent and the methods called. */
const run: ClinicCallsRun = { sent: [], failedCalls: [], called: new Set() };
const { sent, called } = run;
const tracked = (clinicId: number) => recordedScope(vz, clinicId, events, run);

const ignoreErrors = (promise: Promise<unknown>) => promise.catch(() => undefined);

async function drain(stream: AsyncIterable<unknown>): Promise<number> {
  let count = 0;
  for await (const _ of stream) count++;
  return count;
}

beforeAll(async () => {
  await loadParser();
  const made = await createTestVetalyze({ onQuery: (event) => events.push(event) });
  vz = made.vz;
  pool = createSqlPool(made.database);
  // Clinic ids far from any other parameter value (limits, versions, type ids),
  // so `$N = clinic id` cannot be matched by a coincidence.
  await pool.query(`select setval('clinics_id_seq', 7000000)`);
  const { rows } = await pool.query<{ table_name: string }>(
    `select table_name from information_schema.columns
     where table_schema = 'public' and column_name = 'clinic_id'`,
  );
  tenantTables = new Set(rows.map((row) => row.table_name));
  a = await insertClinic(pool);
  b = await insertClinic(pool);

  const clinicA = tracked(a.clinicId);
  const first = await clinicA.owners.create({
    fullName: 'Alice Onlyina',
    phoneNumber: '+49 151 9998887',
    pets: [
      { name: 'Alphapet', petTypeId: 1, microchip: '111222333444555' },
      { name: 'Betapet', petTypeId: 2 },
    ],
  });
  const second = await clinicA.owners.create({ fullName: 'Second A' });
  for (let index = 0; index < 3; index++)
    await clinicA.owners.create({
      fullName: `Filler ${index}`,
      pets: [{ name: 'Fill', petTypeId: 1 }],
    });
  const petId = first.pets[0]?.id ?? 0;
  await clinicA.owners.get(first.id);
  const page = await clinicA.owners.list({ limit: 2 });
  await clinicA.owners.list({ limit: 2, cursor: page.nextCursor ?? undefined, withPetNames: true });
  await clinicA.owners.list({ limit: 2, columns: 'contact' });
  for (const search of [
    { name: 'Onlyina' },
    { name: 'a', limit: 1 },
    { phone: '0151 9998887', withPetNames: true },
    { code: first.code },
    { name: 'Onlyina', columns: 'contact' as const },
    { name: 'a', limit: 1, columns: 'contact' as const },
    { phone: '0151 9998887', columns: 'contact' as const },
    { code: first.code, columns: 'contact' as const },
  ]) {
    const found = await clinicA.owners.search(search);
    if (found.nextCursor) await clinicA.owners.search({ ...search, cursor: found.nextCursor });
  }
  await clinicA.owners.update(first.id, { version: 1, fullName: 'Alice Renamed' });
  await ignoreErrors(clinicA.owners.update(first.id, { version: 1, fullName: 'Stale' }));
  await clinicA.pets.add(second.id, [{ name: 'Gammapet', petTypeId: 3 }]);
  await clinicA.pets.get(petId);
  for (const search of [
    { name: 'pet', limit: 1 },
    { code: 'P-000001' },
    { microchip: '111222333444555' },
  ]) {
    const found = await clinicA.pets.search(search);
    if (found.nextCursor) await clinicA.pets.search({ ...search, cursor: found.nextCursor });
  }
  await clinicA.pets.update(petId, { version: 1, name: 'Alphapet II' });
  await ignoreErrors(clinicA.pets.update(petId, { version: 1, name: 'Stale' }));
  await clinicA.pets.move(petId, { toOwnerId: second.id, version: 2 });
  const doctor = await clinicA.staff.add({
    role: 'doctor',
    email: 'dr.a@example.com',
    fullName: 'Dr A',
  });
  await clinicA.staff.add({ role: 'receptionist', userId: await insertUser(pool, 'receptionist') });
  await clinicA.staff.list();
  await clinicA.staff.list({ role: 'doctor', isActive: true });
  await clinicA.staff.deactivate(doctor.userId);
  await clinicA.owners.import([
    { fullName: 'Imported One', phoneNumber: '030 1112223', pets: [{ name: 'Imp', petTypeId: 1 }] },
    { fullName: 'Imported Two' },
  ]);
  await drain(clinicA.owners.export());
  await clinicA.owners.remove(second.id);

  // Clinic B given A's ids: each call fails, through statements of its own.
  const clinicB = tracked(b.clinicId);
  await ignoreErrors(clinicB.owners.get(first.id));
  await ignoreErrors(clinicB.owners.update(first.id, { version: 2, fullName: 'Hacked' }));
  await ignoreErrors(clinicB.owners.remove(first.id));
  await ignoreErrors(clinicB.pets.add(first.id, [{ name: 'Intruder', petTypeId: 1 }]));
  await ignoreErrors(clinicB.pets.get(petId));
  await ignoreErrors(clinicB.pets.update(petId, { version: 2, name: 'Hacked' }));
  await ignoreErrors(clinicB.pets.move(petId, { toOwnerId: first.id, version: 3 }));
  await ignoreErrors(clinicB.staff.add({ role: 'receptionist', userId: doctor.userId }));
  await ignoreErrors(clinicB.staff.deactivate(doctor.userId));
  await clinicB.owners.list();
  await drain(clinicB.owners.export());
});

describe('single shard: every clinic-scope statement filters each tenant table by the clinic parameter', () => {
  it('reads the tenant tables from the catalog', () => {
    expect([...tenantTables].sort()).toEqual(
      expect.arrayContaining(['clinic_counters', 'clinic_staff', 'owners', 'pets']),
    );
  });

  it('calls every public clinic-scope method', () => {
    expect([...called].sort()).toEqual(clinicScopeMethods(vz.forClinic(a.clinicId)).sort());
  });

  it('finds no statement that could reach another shard', () => {
    expect(sent.length).toBeGreaterThan(50);
    const problems = sent.flatMap(({ call, clinicId, event }) =>
      singleShardProblems(event.sql, event.values, clinicId, tenantTables).map(
        (problem) => `${call}: ${problem}\n  ${event.sql.replace(/\s+/g, ' ').slice(0, 300)}`,
      ),
    );
    expect(problems).toEqual([]);
  });

  it('names every statement after the call that sent it, prepared under the same name', () => {
    // Statements a call sends on behalf of more than itself.
    const shared = new Set([
      'clinic.facts.get',
      'shared.idempotency.lookup',
      'clinic.pets.visiblePetVersion',
    ]);
    const misnamed = sent.flatMap(({ call, event }) => {
      const label = statementLabel(event.sql);
      const operation = label?.split(':')[0];
      const named = operation === `clinic.${call}` || (label !== undefined && shared.has(label));
      const prepared = event.name === undefined || event.name === label;
      return named && prepared ? [] : [`${call}: ${label} (prepared as ${event.name})`];
    });
    expect(misnamed).toEqual([]);
  });
});
