import { budgets } from '../targets.js';
import type { BenchReport, CheckReport, FlatCostReport, ScaleReport } from './schema.js';

const fixed = (value: number, digits = 3) =>
  Number.isFinite(value) ? value.toFixed(digits) : String(value);

/** p95 at the largest measured scale over the smallest, when they span 50..1000 clinics or more. */
export function flatCostOf(scales: readonly ScaleReport[]): FlatCostReport[] {
  const sorted = [...scales].sort((a, b) => a.clinics - b.clinics);
  const from = sorted[0];
  const to = sorted[sorted.length - 1];
  if (!from || !to || from.clinics > 50 || to.clinics < 1000) return [];
  return to.operations
    .filter((operation) => operation.scope === 'clinic')
    .flatMap((operation) => {
      const before = from.operations.find((candidate) => candidate.id === operation.id);
      if (!before) return [];
      const ratio = operation.p95Ms / before.p95Ms;
      return [
        {
          operation: operation.id,
          fromClinics: from.clinics,
          toClinics: to.clinics,
          fromP95Ms: before.p95Ms,
          toP95Ms: operation.p95Ms,
          ratio,
          pass: ratio <= budgets.flatCostRatio,
        },
      ];
    });
}

/** Every kind of check a report can hold; `--check-kinds` accepts these. */
export const checkKinds = [
  'latency',
  'seed-figure',
  'overhead-p50',
  'overhead-p95',
  'lean-p50',
  'throughput',
  'throughput-p99',
  'load-p95',
  'load-p99',
  'load-sustained',
  'flat-cost',
  'storage',
  'seeding',
] as const;

/** One of {@link checkKinds}. */
export type CheckKind = (typeof checkKinds)[number];

/** Every budget this run measured, each as a named check. */
export function checksOf(
  scales: readonly ScaleReport[],
  flatCost: readonly FlatCostReport[],
): CheckReport[] {
  const checks: CheckReport[] = [];
  const add: AddCheck = (check, what) =>
    checks.push({
      ...check,
      message: `${check.pass ? 'ok' : 'MISSED'}: ${what} = ${fixed(check.actual)} ${check.unit} (limit ${fixed(check.limit)} ${check.unit})`,
    });
  // Seconds spent seeding since the run's data set was empty; null when it did not start empty.
  let seededFromEmpty: number | null = scales[0]?.seeding?.clinicsBefore === 0 ? 0 : null;
  let tenThousandChecked = false;
  for (const scale of scales) {
    const at = `at ${scale.clinics} clinics`;
    for (const operation of scale.operations) {
      add(
        {
          kind: 'latency',
          operation: operation.id,
          clinics: scale.clinics,
          actual: operation.p95Ms,
          limit: operation.budgetP95Ms,
          unit: 'ms',
          pass: operation.p95Ms <= operation.budgetP95Ms,
        },
        `${operation.id} p95 ${at} (budget)`,
      );
      if (operation.seedFigureMs)
        add(
          {
            kind: 'seed-figure',
            operation: operation.id,
            clinics: scale.clinics,
            actual: operation.p95Ms,
            limit: operation.seedFigureMs.low,
            unit: 'ms',
            pass: operation.p95Ms <= operation.seedFigureMs.low,
          },
          `${operation.id} p95 ${at} (seed figure, low end)`,
        );
      if (operation.overhead) {
        add(
          {
            kind: 'overhead-p50',
            operation: operation.id,
            clinics: scale.clinics,
            actual: operation.overhead.ratioP50,
            limit: budgets.overheadRatioP50,
            unit: 'x raw',
            pass: operation.overhead.ratioP50 <= budgets.overheadRatioP50,
          },
          `${operation.id} library/raw p50 ${at}`,
        );
        add(
          {
            kind: 'overhead-p95',
            operation: operation.id,
            clinics: scale.clinics,
            actual: operation.overhead.ratioP95,
            limit: budgets.overheadRatioP95,
            unit: 'x raw',
            pass: operation.overhead.ratioP95 <= budgets.overheadRatioP95,
          },
          `${operation.id} library/raw p95 ${at}`,
        );
      }
    }
    for (const operation of scale.operations)
      if (operation.lean)
        add(
          {
            kind: 'lean-p50',
            operation: operation.id,
            clinics: scale.clinics,
            actual: operation.lean.ratioP50,
            limit: budgets.leanRatioP50,
            unit: 'x lean',
            pass: operation.lean.ratioP50 <= budgets.leanRatioP50,
          },
          `${operation.id} library/lean p50 ${at}`,
        );
    if (scale.load) loadChecks(scale.load, scale.clinics, add);
    if (scale.throughput) {
      add(
        {
          kind: 'throughput',
          operation: null,
          clinics: scale.clinics,
          actual: scale.throughput.ratio,
          limit: budgets.throughputRatio,
          unit: 'x raw ops/s',
          pass: scale.throughput.ratio >= budgets.throughputRatio,
        },
        `throughput library/raw ${at} (at least)`,
      );
      add(
        {
          kind: 'throughput-p99',
          operation: null,
          clinics: scale.clinics,
          actual: scale.throughput.libraryP99Ms,
          limit: budgets.throughputP99Ms,
          unit: 'ms',
          pass: scale.throughput.libraryP99Ms < budgets.throughputP99Ms,
        },
        `throughput p99 ${at}`,
      );
    }
    if (scale.clinics === 1000)
      add(
        {
          kind: 'storage',
          operation: null,
          clinics: scale.clinics,
          actual: scale.storage.databaseBytes / 1e9,
          limit: budgets.storageBytesAt1000 / 1e9,
          unit: 'GB',
          pass: scale.storage.databaseBytes <= budgets.storageBytesAt1000,
        },
        `database size ${at}`,
      );
    if (scale.seeding && scale.seeding.clinicsBefore === 0 && scale.seeding.clinicsAfter >= 1000)
      add(
        {
          kind: 'seeding',
          operation: null,
          clinics: scale.seeding.clinicsAfter,
          actual: scale.seeding.seconds,
          limit: budgets.seedSecondsAt1000,
          unit: 's',
          pass: scale.seeding.seconds <= budgets.seedSecondsAt1000,
        },
        `seeding 0 -> ${scale.seeding.clinicsAfter} clinics`,
      );
    if (seededFromEmpty !== null && scale.seeding) seededFromEmpty += scale.seeding.seconds;
    // The ladder's steps summed: 0 -> 50 -> 1000 -> 10,000 seeds 10,000 clinics from empty.
    if (seededFromEmpty !== null && scale.clinics >= 10_000 && !tenThousandChecked) {
      tenThousandChecked = true;
      add(
        {
          kind: 'seeding',
          operation: null,
          clinics: scale.clinics,
          actual: seededFromEmpty,
          limit: budgets.seedSecondsTo10000,
          unit: 's',
          pass: seededFromEmpty <= budgets.seedSecondsTo10000,
        },
        `seeding 0 -> ${scale.clinics} clinics, every step of the run`,
      );
    }
  }
  for (const flat of flatCost)
    add(
      {
        kind: 'flat-cost',
        operation: flat.operation,
        clinics: flat.toClinics,
        actual: flat.ratio,
        limit: budgets.flatCostRatio,
        unit: `x p95 at ${flat.fromClinics}`,
        pass: flat.pass,
      },
      `${flat.operation} p95 at ${flat.toClinics} / p95 at ${flat.fromClinics}`,
    );
  return checks;
}

type AddCheck = (check: Omit<CheckReport, 'message'> & { kind: CheckKind }, what: string) => void;

/**
 * The open-loop checks: at each rate both sides were judged at (see
 * measureLoad), library p95 and p99 / raw's at most 1.3x; and the library's
 * highest rate sustained at least 0.9x raw's (when raw sustained any).
 */
function loadChecks(load: NonNullable<ScaleReport['load']>, clinics: number, add: AddCheck): void {
  for (const step of load.steps) {
    if (!step.compared || step.ratioP95 === undefined || step.ratioP99 === undefined) continue;
    const rate = `${Number(step.targetRate.toPrecision(3))} req/s at ${clinics} clinics`;
    for (const [kind, ratio] of [
      ['load-p95', step.ratioP95],
      ['load-p99', step.ratioP99],
    ] as const)
      add(
        {
          kind,
          operation: null,
          clinics,
          actual: ratio,
          limit: budgets.loadLatencyRatio,
          unit: 'x raw',
          pass: ratio <= budgets.loadLatencyRatio,
        },
        `open-loop library/raw ${kind === 'load-p95' ? 'p95' : 'p99'} at ${rate}`,
      );
  }
  if (load.sustainedRatio !== undefined && load.sustainedRatio !== null)
    add(
      {
        kind: 'load-sustained',
        operation: null,
        clinics,
        actual: load.sustainedRatio,
        limit: budgets.loadSustainedRatio,
        unit: 'x raw req/s',
        pass: load.sustainedRatio >= budgets.loadSustainedRatio,
      },
      `open-loop highest rate sustained (p99 < ${budgets.loadSustainedP99Ms} ms), library/raw at ${clinics} clinics (at least)`,
    );
}

/** The failed checks of a report, each message naming its operation. */
export function failedChecks(report: Pick<BenchReport, 'checks'>): CheckReport[] {
  return report.checks.filter((check) => !check.pass);
}
