import type { BenchReport } from './schema.js';

/** One operation whose p95 grew past the tolerance. */
export interface Regression {
  readonly operation: string;
  readonly clinics: number;
  readonly baseP95Ms: number;
  readonly newP95Ms: number;
  /** new / base. */
  readonly ratio: number;
}

/** What compare found. */
export interface Comparison {
  readonly regressions: readonly Regression[];
  /** Operation/scale pairs present in both reports. */
  readonly compared: number;
  /** Pairs only in one of them. */
  readonly missing: readonly string[];
}

/**
 * Compares p95 per operation and scale: a regression is new p95 > base p95 ×
 * (1 + tolerance). Operations or scales in only one report are listed, not failed.
 */
export function compareReports(
  base: BenchReport,
  next: BenchReport,
  tolerance: number,
): Comparison {
  const regressions: Regression[] = [];
  const missing: string[] = [];
  let compared = 0;
  for (const scale of next.scales) {
    const baseScale = base.scales.find((candidate) => candidate.clinics === scale.clinics);
    for (const operation of scale.operations) {
      const before = baseScale?.operations.find((candidate) => candidate.id === operation.id);
      if (!before) {
        missing.push(`${operation.id} @ ${scale.clinics}`);
        continue;
      }
      compared++;
      const ratio = operation.p95Ms / before.p95Ms;
      if (operation.p95Ms > before.p95Ms * (1 + tolerance))
        regressions.push({
          operation: operation.id,
          clinics: scale.clinics,
          baseP95Ms: before.p95Ms,
          newP95Ms: operation.p95Ms,
          ratio,
        });
    }
  }
  return { regressions, compared, missing };
}
