import { describe, expect, it } from 'vitest';
import { quantileSorted, summarize } from '../../bench/stats.js';

describe('latency statistics', () => {
  it('interpolates percentiles between order statistics (type 7)', () => {
    const values = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(quantileSorted(values, 0.5)).toBeCloseTo(50.5, 10);
    expect(quantileSorted(values, 0.95)).toBeCloseTo(95.05, 10);
    expect(quantileSorted(values, 0.99)).toBeCloseTo(99.01, 10);
    expect(quantileSorted([7], 0.95)).toBe(7);
  });

  it('summarises unsorted samples without changing them', () => {
    const samples = [5, 1, 4, 2, 3];
    const summary = summarize(samples);
    expect(samples).toEqual([5, 1, 4, 2, 3]);
    expect(summary).toMatchObject({ samples: 5, p50: 3, mean: 3, min: 1, max: 5 });
    expect(summary.p95).toBeCloseTo(4.8, 10);
  });

  it('makes a single slow call visible at p99 but not at p50', () => {
    const samples = [...Array.from({ length: 99 }, () => 0.2), 50];
    const summary = summarize(samples);
    expect(summary.p50).toBe(0.2);
    expect(summary.p99).toBeGreaterThan(0.2);
  });
});
