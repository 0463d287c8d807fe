import { describe, expect, it } from 'vitest';
import { createTestVetalyze } from '../helpers/database.js';
import { createClinic } from '../platform/fixtures.js';

/**
 * A prepared statement is only cheaper than an unnamed one when the server
 * keeps its generic plan. PostgreSQL plans the first five calls with their
 * values, then keeps the generic plan unless it looks costlier than those.
 * One that always looks costlier (a page size bound as `limit $n`) is planned
 * again on every call: 0.16-0.24 ms against 0.075 ms for an owners page at
 * 1000 clinics. On one pooled connection, every prepared page and search
 * below runs ten times, and the server's own count of custom plans must stop
 * at five. The owners' name searches are left out: their cost
 * depends on how many owners a term matches, so which plan wins depends on
 * the data (on the harness' 1000 clinics they keep the generic plan after
 * five calls, checked through pg_prepared_statements).
 */

const { vz } = await createTestVetalyze({ poolSize: 1 });

const calls = 10;

/** Custom-plan counts of the library's prepared statements on the pool's one connection. */
async function planCounts() {
  return vz.withConnection(async (client) => {
    const { rows } = await client.query({
      text: `select name, custom_plans::int as custom, generic_plans::int as generic
       from pg_prepared_statements
       where name like 'clinic.%' or name like 'platform.%'
       order by name`,
    });
    return rows as { name: string; custom: number; generic: number }[];
  });
}

describe('prepared statements keep their generic plan', () => {
  it('plans no page or search again after its first five calls', async () => {
    // Enough rows, with statistics, that a page of 21 is a small part of the
    // clinic's owners: only then does the page size change a plan's cost.
    const clinic = await createClinic(vz);
    const scope = vz.forClinic(clinic.id);
    await scope.owners.import(
      Array.from({ length: 2000 }, (_, i) => ({
        fullName: `Owner ${(i * 7919).toString(36)}`,
        phoneNumber: `+49 30 555${String(i).padStart(4, '0')}`,
        pets: [
          { name: `Rex ${i}`, petTypeId: 1, microchip: `98100000${String(i).padStart(4, '0')}` },
        ],
      })),
    );
    await vz.withConnection((client) => client.query({ text: 'analyze' }));
    const reads: (() => Promise<unknown>)[] = [
      () => scope.owners.list(),
      () => scope.owners.list({ withPetNames: true }),
      () => scope.owners.list({ columns: 'contact' }),
      () => scope.owners.search({ phone: '5550' }),
      () => scope.owners.search({ phone: '5550', columns: 'contact' }),
      () => scope.pets.search({ name: 'rex' }),
      () => scope.pets.search({ microchip: '9810000000001' }),
      () => vz.clinics.list(),
      () => vz.clinics.list({ status: 'none', countryCode: 'DE' }),
      () => vz.clinics.list({ search: 'clinic' }),
      () => vz.clinics.list({ search: 'cl' }),
      () => vz.clinics.list({ search: 'clinic', status: 'none' }),
      () => vz.subscriptions.listActive(),
      () => vz.subscriptions.list({ year: 2026, month: 1 }),
      () => vz.subscriptions.list({ year: 2026, month: 1, totals: false }),
      () => vz.subscriptions.groups(),
      () => vz.subscriptions.groups({ clinicId: clinic.id }),
    ];
    for (const read of reads) for (let i = 0; i < calls; i++) await read();

    const counts = await planCounts();
    const pages = counts.filter((row) => row.custom + row.generic >= calls);
    expect(pages.length).toBeGreaterThanOrEqual(12);
    expect(pages.filter((row) => row.custom > 5)).toEqual([]);
  });
});
