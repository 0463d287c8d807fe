import { describe, expect, it } from 'vitest';
import { createClinicFactsCache } from '../../src/cache/clinic-facts.js';
import {
  createClinicStatusCache,
  type StatusReading,
} from '../../src/cache/clinic-status-cache.js';
import { createDb } from '../../src/db/db.js';
import { insertClinic } from '../clinic/helpers.js';
import { createTestDatabase, createTestPool } from '../helpers/database.js';

const database = await createTestDatabase();
const pool = createTestPool(database);
let statements = 0;
const db = createDb(pool, { validateRows: true, onQuery: () => statements++ });
const { clinicId } = await insertClinic(pool);

describe('a load in flight during an invalidation never puts the old value back', () => {
  for (const how of ['invalidate', 'clear'] as const) {
    it(`clinic facts, ${how}`, async () => {
      const facts = createClinicFactsCache(db);
      const loading = facts.get(clinicId); // the statement is on its way
      if (how === 'invalidate') facts.invalidate(clinicId);
      else facts.clear();
      expect((await loading).callingCode).toBe('49');
      const before = statements;
      await facts.get(clinicId);
      expect(statements - before).toBe(1); // not cached: asked again
      await facts.get(clinicId);
      expect(statements - before).toBe(1); // this one was cached
    });
  }

  it('clinic status, clear', async () => {
    const cache = createClinicStatusCache({});
    let finish: (reading: StatusReading) => void = () => {};
    const load = () =>
      new Promise<StatusReading>((resolve) => {
        finish = resolve;
      });
    const reading = cache.read(5, load);
    cache.clear();
    finish({ status: 'active', changesAt: null });
    expect(await reading).toBe('active');
    expect(cache.get(5)).toBeUndefined();
  });
});

describe('clinic facts TTL', () => {
  it('asks the database again once the TTL has passed', async () => {
    let now = 1_000_000;
    const facts = createClinicFactsCache(db, { ttlMs: 1_000 }, () => now);
    const before = statements;
    await facts.get(clinicId);
    now += 999;
    await facts.get(clinicId);
    expect(statements - before).toBe(1);
    now += 2;
    await facts.get(clinicId);
    expect(statements - before).toBe(2);
  });
});
