import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { highestSustained, type LoadStep, ratiosJudged } from '../../bench/measure/load.js';
import {
  type Arrival,
  type LoadRequest,
  type OpenLoopSide,
  runOpenLoop,
} from '../../bench/measure/open-loop.js';
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

describe('the highest rate sustained', () => {
  /** A step at `rate` req/s of `requests` scheduled requests, sustained or not by each side. */
  const step = (rate: number, requests: number, library: boolean, raw: boolean): LoadStep => {
    const side = { completed: requests, errors: 0, achievedRate: rate, p50Ms: 1, p95Ms: 2 };
    return {
      ...side,
      multiple: rate / 5,
      targetRate: rate,
      seconds: requests / rate,
      requests,
      p99Ms: library ? 3 : 16,
      p95BudgetRatio: 1,
      lagP95Ms: 0.1,
      held: false,
      sustained: library,
      raw: {
        ...side,
        p99Ms: raw ? 3 : 16,
        p95BudgetRatio: 1,
        lagP95Ms: 0.1,
        saturated: false,
        sustained: raw,
      },
    };
  };
  const library = (one: LoadStep) => one.sustained;
  const raw = (one: LoadStep) => one.raw?.sustained ?? false;

  it('is the last rate before the first step not sustained', () => {
    const steps = [
      step(5, 100, true, true),
      step(50, 200, true, true),
      step(500, 2000, false, true),
      step(1500, 6000, true, true),
    ];
    expect(highestSustained(steps, library)).toBe(50);
    expect(highestSustained(steps, raw)).toBe(1500);
  });

  it('does not judge a step of fewer than 100 requests, whose p99 is its slowest request', () => {
    const steps = [
      step(5, 94, true, false),
      step(50, 193, true, true),
      step(500, 1962, true, true),
    ];
    expect(highestSustained(steps, raw)).toBe(500);
    expect(highestSustained(steps, library)).toBe(500);
  });

  it('is 0 when the first judged step was not sustained', () => {
    expect(highestSustained([step(5, 94, true, true), step(50, 193, false, true)], library)).toBe(
      0,
    );
    expect(highestSustained([], library)).toBe(0);
  });
});

describe('the rates whose library/raw ratios are judged', () => {
  /** One side's figures at a rate: 2,000 requests completed, not saturated, p99 as given. */
  const side = (p99Ms: number, changes: Partial<OpenLoopSide> = {}): OpenLoopSide => ({
    completed: 2000,
    errors: 0,
    achievedRate: 500,
    p50Ms: 1,
    p95Ms: p99Ms / 2,
    p99Ms,
    p95BudgetRatio: 1,
    lagP95Ms: 0.1,
    saturated: false,
    ...changes,
  });

  it('are the rates raw sustained, whatever the library did there', () => {
    expect(ratiosJudged(side(3), side(2.5))).toBe(true);
    expect(ratiosJudged(side(220, { saturated: true }), side(9.9))).toBe(true);
  });

  it('leave out a rate where raw queued past a p99 of 10 ms without saturating', () => {
    // 5,000 req/s at 1000 clinics (f5cc02d): raw's p99 50.9 ms, the library's 223 ms.
    expect(ratiosJudged(side(223), side(50.9))).toBe(false);
    expect(ratiosJudged(side(3), side(10))).toBe(false);
  });

  it('leave out a rate raw saturated, or where a side completed fewer than 100 requests', () => {
    expect(ratiosJudged(side(3), side(3, { saturated: true }))).toBe(false);
    expect(ratiosJudged(side(3, { completed: 99 }), side(3))).toBe(false);
    expect(ratiosJudged(side(3), side(3, { completed: 99 }))).toBe(false);
  });
});
