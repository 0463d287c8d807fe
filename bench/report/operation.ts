import type { LatencyResult } from '../measure/latency.js';
import type { OverheadResult } from '../measure/overhead.js';
import { significant } from '../stats.js';
import { budgets, type OperationTarget, seedFigureAt } from '../targets.js';
import type { OperationReport } from './schema.js';

/**
 * One operation's line of the report: its measurements beside the seed's
 * figure at this scale, our budget and the raw-driver comparison, rounded to
 * three significant digits.
 */
export function operationReport(
  target: OperationTarget,
  clinics: number,
  ownersPerClinic: number,
  latency: LatencyResult,
  overhead: OverheadResult | null,
): OperationReport {
  const seedFigure = seedFigureAt(target, clinics, ownersPerClinic);
  const p95 = latency.latency.p95;
  return {
    id: target.id,
    label: target.label,
    scope: target.scope,
    kind: target.kind,
    samples: latency.latency.samples,
    p50Ms: significant(latency.latency.p50),
    p95Ms: significant(p95),
    p99Ms: significant(latency.latency.p99),
    meanMs: significant(latency.latency.mean),
    opsPerSecond: significant(latency.opsPerSecond),
    statementsPerCall: significant(latency.statementsPerCall, 3),
    seedFigureMs: seedFigure,
    seedFigureText: target.seed.by === 'none' ? target.seed.text : null,
    headroom: seedFigure ? significant(seedFigure.low / p95) : null,
    budgetP95Ms: target.budgetP95Ms,
    floorMs: target.floorMs,
    pass: p95 <= target.budgetP95Ms,
    byInput: latency.byInput.map(({ tag, latency: summary }) => ({
      tag,
      samples: summary.samples,
      p50Ms: significant(summary.p50),
      p95Ms: significant(summary.p95),
    })),
    overhead: overhead
      ? {
          samples: overhead.library.samples,
          libraryP50Ms: significant(overhead.library.p50),
          libraryP95Ms: significant(overhead.library.p95),
          rawP50Ms: significant(overhead.raw.p50),
          rawP95Ms: significant(overhead.raw.p95),
          ratioP50: significant(overhead.ratioP50),
          ratioP95: significant(overhead.ratioP95),
          pass:
            overhead.ratioP50 <= budgets.overheadRatioP50 &&
            overhead.ratioP95 <= budgets.overheadRatioP95,
        }
      : null,
  };
}
