import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Arrival, type LoadRequest, runOpenLoop } from '../../bench/measure/open-loop.js';
import { createTestDatabase } from '../helpers/database.js';

describe('the open loop', () => {
  let admin: pg.Client;
  let server: pg.Pool;

  beforeAll(async () => {
    const database = await createTestDatabase();
    admin = new pg.Client({ connectionString: database.url });
    server = new pg.Pool({ connectionString: database.url, max: 4 });
    await admin.connect();
  });
  afterAll(() => Promise.all([admin?.end(), server?.end()]));

  it('cleans up after requests one at a time on the shared admin connection', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    let cleaning = 0;
    let mostAtOnce = 0;
    // 200 requests in 0.1 s, each completing at once and cleaning up for 5 ms: they overlap.
    const arrivals: Arrival[] = Array.from({ length: 200 }, (_, index) => ({
      at: index / 2,
      operation: 'owners.create',
      budgetMs: 3,
    }));
    const request = (): LoadRequest => ({
      send: async () => {
        await server.query('select 1');
      },
      settle: async () => {
        cleaning++;
        mostAtOnce = Math.max(mostAtOnce, cleaning);
        await admin.query('select pg_sleep(0.005)');
        cleaning--;
      },
    });
    try {
      const side = await runOpenLoop({
        arrivals,
        seconds: 0.1,
        rate: 2000,
        request,
        maxInFlight: 2000,
      });
      expect(side.completed).toBe(200);
      expect(side.errors).toBe(0);
    } finally {
      process.off('warning', onWarning);
    }
    expect(mostAtOnce).toBe(1);
    expect(warnings.filter((message) => message.includes('already executing a query'))).toEqual([]);
  });
});
