import { describe, expect, it } from 'vitest';
import { checkOutcome } from '../../bench/commands/bench.js';
import { checksOf, flatCostOf } from '../../bench/report/checks.js';
import { compareReports } from '../../bench/report/compare.js';
import { parseReport } from '../../bench/report/validate.js';
import { operation, report, scale } from './report-fixtures.js';

describe('budget checks (--check)', () => {
  it('passes with exit code 0 when every budget holds', () => {
    const scales = [scale(50, [operation()])];
    const outcome = checkOutcome({ checks: checksOf(scales, flatCostOf(scales)) });
    expect(outcome).toEqual({ exitCode: 0, lines: [] });
  });

  it('exits 1 and names the operation whose p95 misses its budget', () => {
    const scales = [
      scale(50, [operation(), operation({ id: 'clinics.list', p95Ms: 2.4, budgetP95Ms: 1.5 })]),
    ];
    const outcome = checkOutcome({ checks: checksOf(scales, []) });
    expect(outcome.exitCode).toBe(1);
    expect(outcome.lines).toHaveLength(1);
    expect(outcome.lines[0]).toContain('clinics.list');
    expect(outcome.lines[0]).toContain('50 clinics');
  });

  it('enforces only the check kinds asked for', () => {
    const scales = [scale(50, [operation({ id: 'clinics.list', p95Ms: 2.4, budgetP95Ms: 1.5 })])];
    const checks = checksOf(scales, []);
    expect(checkOutcome({ checks }, ['seed-figure']).exitCode).toBe(0);
    expect(checkOutcome({ checks }, ['latency', 'seed-figure']).exitCode).toBe(1);
  });

  it('fails an operation whose library/raw ratio exceeds 1.15x at p50', () => {
    const overhead = operation().overhead;
    if (!overhead) throw new Error('the fixture has an overhead measurement');
    const slow = operation({ overhead: { ...overhead, ratioP50: 1.2 } });
    const outcome = checkOutcome({ checks: checksOf([scale(50, [slow])], []) });
    expect(outcome.exitCode).toBe(1);
    expect(outcome.lines.join('\n')).toMatch(/owners\.get library\/raw p50/);
  });

  it('fails an operation whose library/lean p50 exceeds 1.3x, and passes it within', () => {
    const lean = {
      samples: 300,
      libraryP50Ms: 0.4,
      libraryP95Ms: 0.6,
      leanP50Ms: 0.2,
      leanP95Ms: 0.5,
      ratioP50: 2.0,
      ratioP95: 1.2,
      pass: false,
    };
    const slow = operation({ id: 'owners.list', lean });
    const outcome = checkOutcome({ checks: checksOf([scale(50, [slow])], []) }, ['lean-p50']);
    expect(outcome.exitCode).toBe(1);
    expect(outcome.lines).toEqual([
      expect.stringMatching(/owners\.list library\/lean p50 at 50 clinics = 2\.000/),
    ]);
    const fine = operation({ lean: { ...lean, ratioP50: 1.1, pass: true } });
    expect(checkOutcome({ checks: checksOf([scale(50, [fine])], []) }, ['lean-p50']).exitCode).toBe(
      0,
    );
  });

  it('judges the open-loop load against raw: p95/p99 ratios at judged rates, highest rate sustained', () => {
    const side = {
      completed: 400,
      errors: 0,
      achievedRate: 100,
      p50Ms: 0.5,
      p95Ms: 1,
      p99Ms: 2,
      p95BudgetRatio: 1,
      lagP95Ms: 0.1,
      saturated: false,
      sustained: true,
    };
    const step = (multiple: number, ratioP95: number, compared: boolean) => ({
      multiple,
      targetRate: 5 * multiple,
      seconds: 4,
      requests: 400,
      completed: 400,
      errors: 0,
      achievedRate: 100,
      p50Ms: 0.5,
      p95Ms: ratioP95,
      p99Ms: 2,
      p95BudgetRatio: 1,
      lagP95Ms: 0.1,
      held: false,
      sustained: true,
      raw: side,
      ratioP95,
      ratioP99: 1,
      compared,
    });
    const loaded = (steps: ReturnType<typeof step>[], sustainedRatio: number) => ({
      ...scale(300, [operation()]),
      load: {
        clinics: 300,
        seedRate: 5,
        mix: [],
        steps,
        highestRateHeld: 0,
        highestRateSustained: 5 * sustainedRatio,
        rawHighestRateSustained: 5,
        sustainedRatio,
      },
    });
    const kinds = ['load-p95', 'load-p99', 'load-sustained'];
    // A rate raw saturated is not judged, however far apart the two sides are.
    const fine = loaded([step(1, 1.1, true), step(10, 3, false)], 1);
    expect(checkOutcome({ checks: checksOf([fine], []) }, kinds)).toEqual({
      exitCode: 0,
      lines: [],
    });
    const slow = checkOutcome({ checks: checksOf([loaded([step(1, 2.0, true)], 0.5)], []) }, kinds);
    expect(slow.exitCode).toBe(1);
    expect(slow.lines.join('\n')).toMatch(/library\/raw p95 at 5 req\/s at 300 clinics = 2\.000/);
    expect(slow.lines.join('\n')).toMatch(/highest rate sustained .* = 0\.500/);
  });

  it('fails a clinic-scope operation whose p95 grows more than 1.5x from 50 to 1000 clinics', () => {
    const scales = [
      scale(50, [operation({ p95Ms: 0.2 })]),
      scale(1000, [operation({ p95Ms: 0.35 })]),
    ];
    const flat = flatCostOf(scales);
    expect(flat).toEqual([expect.objectContaining({ operation: 'owners.get', pass: false })]);
    expect(flat[0]?.ratio).toBeCloseTo(1.75, 5);
    const outcome = checkOutcome({ checks: checksOf(scales, flat) });
    expect(outcome.lines.join('\n')).toMatch(/owners\.get p95 at 1000 \/ p95 at 50/);
  });

  it('judges storage only at 1000 clinics', () => {
    const big = {
      ...scale(1000, [operation()]),
      storage: { databaseBytes: 1.2e9, seedEstimateBytes: 3.3e9, tables: [] },
    };
    const checks = checksOf([big], []);
    expect(checks.find((check) => check.kind === 'storage')?.pass).toBe(false);
    expect(checksOf([scale(50, [operation()])], []).some((check) => check.kind === 'storage')).toBe(
      false,
    );
  });
});

describe('the seeding check of a run from empty to 10,000 clinics', () => {
  const seeded = (clinics: number, clinicsBefore: number, seconds: number) => ({
    ...scale(clinics, [operation()]),
    seeding: {
      clinicsBefore,
      clinicsAfter: clinics,
      strategy: 'drop-indexes' as const,
      seconds,
      rows: {},
      phases: [],
    },
  });
  const tenThousand = (checks: ReturnType<typeof checksOf>) =>
    checks.filter((check) => check.kind === 'seeding' && check.clinics === 10_000);

  it('sums every seeding step of the run against 300 s', () => {
    const ladder = [seeded(50, 0, 3), seeded(1000, 50, 26), seeded(10_000, 1000, 272)];
    const [check] = tenThousand(checksOf(ladder, []));
    expect(check?.actual).toBe(301);
    expect(check?.pass).toBe(false);
    const quicker = [seeded(50, 0, 3), seeded(1000, 50, 26), seeded(10_000, 1000, 270)];
    expect(tenThousand(checksOf(quicker, []))[0]?.pass).toBe(true);
  });

  it('is not judged when the run did not start from an empty data set', () => {
    expect(tenThousand(checksOf([seeded(1000, 50, 26), seeded(10_000, 1000, 200)], []))).toEqual(
      [],
    );
  });
});

describe('compare', () => {
  const base = report([
    scale(50, [operation({ p95Ms: 0.3 }), operation({ id: 'clinics.list', p95Ms: 0.7 })]),
  ]);

  it('reports the operation whose p95 grew beyond the tolerance', () => {
    const next = report([
      scale(50, [operation({ p95Ms: 0.31 }), operation({ id: 'clinics.list', p95Ms: 0.9 })]),
    ]);
    const result = compareReports(base, next, 0.25);
    expect(result.compared).toBe(2);
    expect(result.regressions).toEqual([
      expect.objectContaining({
        operation: 'clinics.list',
        clinics: 50,
        baseP95Ms: 0.7,
        newP95Ms: 0.9,
      }),
    ]);
  });

  it('accepts growth within the tolerance and lists operations missing from the base', () => {
    const next = report([
      scale(50, [operation({ p95Ms: 0.37 }), operation({ id: 'clinics.list', p95Ms: 0.7 })]),
      scale(100, [operation()]),
    ]);
    const result = compareReports(base, next, 0.25);
    expect(result.regressions).toEqual([]);
    expect(result.missing).toEqual(['owners.get @ 100']);
  });

  it('refuses a file that is not a version 1 report, naming the field', () => {
    expect(() => parseReport('{"schemaVersion": 2}', 'old.json')).toThrow(
      /old\.json.*schemaVersion/,
    );
    expect(() => parseReport('not json', 'bad.json')).toThrow(/bad\.json is not JSON/);
    expect(parseReport(JSON.stringify(base), 'base.json').scales[0]?.clinics).toBe(50);
  });
});
