import { beforeAll, describe, expect, it } from 'vitest';
import type { SlowQueryEvent, Vetalyze } from '../../src/index.js';
import { createSqlPool, insertClinic } from '../clinic/helpers.js';
import { createTestVetalyze } from '../helpers/database.js';

/**
 * onSlowQuery: a statement made slow for sure (it waits on a row lock held for
 * 1 s, five times the 200 ms threshold) is reported with its operation name,
 * duration, server and text, and no bound values.
 */

const slowQueryMs = 200;
const slow: SlowQueryEvent[] = [];
let vz: Vetalyze;
let pool: ReturnType<typeof createSqlPool>;
let clinicId: number;

beforeAll(async () => {
  const made = await createTestVetalyze({
    slowQueryMs,
    onSlowQuery: (event) => slow.push(event),
  });
  vz = made.vz;
  pool = createSqlPool(made.database);
  clinicId = (await insertClinic(pool)).clinicId;
});

describe('onSlowQuery', () => {
  it('reports a statement that waited past the threshold, without its values', async () => {
    const locker = await pool.connect();
    try {
      await locker.query('begin');
      await locker.query('select * from clinic_counters where clinic_id = $1 for update', [
        clinicId,
      ]);
      const creating = vz.forClinic(clinicId).owners.create({ fullName: 'Secret Name' });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await locker.query('commit');
      await creating;
    } finally {
      locker.release();
    }
    const event = slow.find((each) => each.operation === 'clinic.owners.create');
    expect(event).toMatchObject({ server: 'primary', failed: false });
    expect(event?.durationMs).toBeGreaterThanOrEqual(slowQueryMs);
    expect(event?.sql).toContain('insert into clinic_counters');
    expect(JSON.stringify(event)).not.toContain('Secret Name');
    expect(Object.keys(event ?? {}).sort()).toEqual([
      'durationMs',
      'failed',
      'operation',
      'server',
      'sql',
    ]);
    for (const each of slow) expect(each.durationMs).toBeGreaterThanOrEqual(slowQueryMs);
  });
});
