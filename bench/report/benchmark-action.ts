import type { BenchReport } from './schema.js';

/** One entry of github-action-benchmark's `customSmallerIsBetter` format. */
export interface SmallerIsBetterEntry {
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  readonly range?: string;
  readonly extra?: string;
}

/**
 * The report's figures for a CI benchmark tracker: p95 per operation and scale
 * (range: p50..p99), library/raw ratios, and throughput as ms per operation
 * (1000 / ops/s, so smaller stays better).
 */
export function smallerIsBetter(report: BenchReport): SmallerIsBetterEntry[] {
  const entries: SmallerIsBetterEntry[] = [];
  for (const scale of report.scales) {
    for (const operation of scale.operations) {
      const seed = operation.seedFigureMs
        ? `seed ${operation.seedFigureMs.low}-${operation.seedFigureMs.high} ms`
        : `seed: ${operation.seedFigureText ?? 'none'}`;
      entries.push({
        name: `${operation.id} p95 @ ${scale.clinics} clinics`,
        unit: 'ms',
        value: operation.p95Ms,
        range: `p50 ${operation.p50Ms} .. p99 ${operation.p99Ms}`,
        extra: `budget ${operation.budgetP95Ms} ms; ${seed}; ${operation.statementsPerCall} statements/call`,
      });
      if (operation.overhead)
        entries.push({
          name: `${operation.id} library/raw p95 @ ${scale.clinics} clinics`,
          unit: 'ratio',
          value: operation.overhead.ratioP95,
          extra: `p50 ratio ${operation.overhead.ratioP50}; raw p95 ${operation.overhead.rawP95Ms} ms`,
        });
    }
    if (scale.throughput)
      entries.push({
        name: `mixed reads, ${scale.throughput.callers} callers, ms per op @ ${scale.clinics} clinics`,
        unit: 'ms',
        value: Number((1000 / scale.throughput.libraryOpsPerSecond).toPrecision(4)),
        extra: `${scale.throughput.libraryOpsPerSecond} ops/s; raw ${scale.throughput.rawOpsPerSecond} ops/s`,
      });
  }
  return entries;
}
