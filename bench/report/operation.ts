import type { LatencyResult } from '../measure/latency.js';
import type { LeanResult } from '../measure/lean.js';
import type { OverheadResult } from '../measure/overhead.js';
import { median, significant } from '../stats.js';
import { budgets, type OperationTarget, seedFigureAt } from '../targets.js';
import type { LeanReport, OperationReport, RepeatReport } from './schema.js';

const medianOf = <T>(items: readonly T[], pick: (item: T) => number) =>
  significant(median(items.map(pick)));

/** Each repeat's p50 and p95, and the spread of p95. */
function repeatsOf(latencies: readonly LatencyResult[]): RepeatReport {
  const p95 = latencies.map((result) => significant(result.latency.p95));
  return {
    count: latencies.length,
    p50Ms: latencies.map((result) => significant(result.latency.p50)),
    p95Ms: p95,
    p95MinMs: Math.min(...p95),
    p95MaxMs: Math.max(...p95),
  };
}

/** Per input tag, the median over the repeats that saw it (samples added up). */
function byInputOf(latencies: readonly LatencyResult[]): OperationReport['byInput'] {
  const tags = [...new Set(latencies.flatMap((result) => result.byInput.map(({ tag }) => tag)))];
  return tags.map((tag) => {
    const seen = latencies.flatMap((result) =>
      result.byInput.filter((entry) => entry.tag === tag).map((entry) => entry.latency),
    );
    return {
      tag,
      samples: seen.reduce((sum, summary) => sum + summary.samples, 0),
      p50Ms: medianOf(seen, (summary) => summary.p50),
      p95Ms: medianOf(seen, (summary) => summary.p95),
    };
  });
}

/** The lean comparison over the repeats: medians of each figure and of each repeat's ratio. */
function leanOf(leans: readonly LeanResult[]): LeanReport | null {
  if (leans.length === 0) return null;
  const ratioP50 = medianOf(leans, (lean) => lean.ratioP50);
  return {
    samples: leans.reduce((sum, lean) => sum + lean.library.samples, 0),
    libraryP50Ms: medianOf(leans, (lean) => lean.library.p50),
    libraryP95Ms: medianOf(leans, (lean) => lean.library.p95),
    leanP50Ms: medianOf(leans, (lean) => lean.lean.p50),
    leanP95Ms: medianOf(leans, (lean) => lean.lean.p95),
    ratioP50,
    ratioP95: medianOf(leans, (lean) => lean.ratioP95),
    pass: ratioP50 <= budgets.leanRatioP50,
  };
}

/**
 * One operation's line of the report: its measurements beside the seed's
 * figure at this scale, our budget, the raw-driver replay and the lean
 * reference, rounded to three significant digits. With several latency
 * passes (`--repeat`), p50, p95, p99 and mean are the medians over the passes,
 * so the checks judge the medians.
 */
export function operationReport(
  target: OperationTarget,
  clinics: number,
  ownersPerClinic: number,
  latencies: readonly LatencyResult[],
  overhead: OverheadResult | null,
  leans: readonly LeanResult[] = [],
): OperationReport {
  const first = latencies[0];
  if (!first) throw new Error(`${target.id}: no latency measured`);
  const seedFigure = seedFigureAt(target, clinics, ownersPerClinic);
  const p95 = medianOf(latencies, (result) => result.latency.p95);
  const mean = median(latencies.map((result) => result.latency.mean));
  return {
    id: target.id,
    label: target.label,
    scope: target.scope,
    kind: target.kind,
    samples: latencies.reduce((sum, result) => sum + result.latency.samples, 0),
    p50Ms: medianOf(latencies, (result) => result.latency.p50),
    p95Ms: p95,
    p99Ms: medianOf(latencies, (result) => result.latency.p99),
    meanMs: significant(mean),
    opsPerSecond: significant(mean > 0 ? 1000 / mean : 0),
    statementsPerCall: significant(first.statementsPerCall, 3),
    seedFigureMs: seedFigure,
    seedFigureText: target.seed.by === 'none' ? target.seed.text : null,
    headroom: seedFigure ? significant(seedFigure.low / p95) : null,
    budgetP95Ms: target.budgetP95Ms,
    floorMs: target.floorMs,
    pass: p95 <= target.budgetP95Ms,
    byInput: byInputOf(latencies),
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
    lean: leanOf(leans),
    leanNote: target.leanNote,
    repeats: repeatsOf(latencies),
  };
}
