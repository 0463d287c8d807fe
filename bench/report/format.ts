import type { LoadStep } from '../measure/load.js';
import type { OperationReport } from './schema.js';
/** Number formatting shared by the text reports. */

/** Milliseconds with sensible precision: 0.0123, 0.456, 12.3. */
export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  if (value < 0.01) return value.toFixed(4);
  if (value < 1) return value.toFixed(3);
  if (value < 100) return value.toFixed(2);
  return value.toFixed(0);
}

/** A ratio: 0.97x. */
export function ratio(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  return `${value.toFixed(2)}x`;
}

/** Bytes as MB or GB. */
export function bytes(value: number): string {
  return value >= 1e9 ? `${(value / 1e9).toFixed(2)} GB` : `${(value / 1e6).toFixed(0)} MB`;
}

/** The seed figure as the seed writes it: '80-120'. */
export function seedRange(
  figure: { low: number; high: number } | null,
  text: string | null,
): string {
  if (figure) return `${figure.low}-${figure.high}`;
  return text ?? '-';
}

/**
 * The cells after an operation's name in the per-scale tables (terminal and
 * Markdown): p50, p95, p99, ops/s, statements, seed, headroom, budget, ok, raw
 * ratios. `failed` is how each format marks a missed budget.
 */
export function operationCells(operation: OperationReport, failed: string): string[] {
  return [
    ms(operation.p50Ms),
    ms(operation.p95Ms),
    ms(operation.p99Ms),
    operation.opsPerSecond.toFixed(0),
    operation.statementsPerCall.toFixed(1),
    seedRange(operation.seedFigureMs, operation.seedFigureText),
    operation.headroom === null ? '-' : `${operation.headroom.toFixed(0)}x`,
    ms(operation.budgetP95Ms),
    operation.pass ? 'yes' : failed,
    ratio(operation.overhead?.ratioP50),
    ratio(operation.overhead?.ratioP95),
  ];
}

/** Headers of the open-loop table (both formats). */
export const loadStepHeaders = [
  'multiple',
  'req/s',
  'lib done/s',
  'lib p50',
  'lib p95',
  'lib p99',
  'raw p95',
  'raw p99',
  'lib p99 each',
  'raw p99 each',
  'p95 lib/raw',
  'p99 lib/raw',
  'judged',
  'lib sustained',
  'raw sustained',
  'lag p95',
] as const;

const yesNo = (value: boolean | undefined, failed: string) =>
  value === undefined ? '-' : value ? 'yes' : failed;

/** Each pass's figure, space-separated ('-' for a report without passes). */
const each = (values: readonly number[] | undefined) =>
  values === undefined ? '-' : values.map((value) => ms(value)).join(' ');

/** The cells of one open-loop load step, in both table formats; `failed` marks a miss. */
export function loadStepCells(step: LoadStep, failed: string): string[] {
  return [
    `x${step.multiple}`,
    step.targetRate.toFixed(2),
    step.achievedRate.toFixed(1),
    ms(step.p50Ms),
    ms(step.p95Ms),
    ms(step.p99Ms),
    ms(step.raw?.p95Ms),
    ms(step.raw?.p99Ms),
    each(step.p99Each),
    each(step.raw?.p99Each),
    ratio(step.ratioP95),
    ratio(step.ratioP99),
    step.compared === undefined ? '-' : step.compared ? 'yes' : 'no',
    yesNo(step.sustained, failed),
    yesNo(step.raw?.sustained, failed),
    ms(step.lagP95Ms),
  ];
}

/** Headers of the lean-reference table (both formats). */
export const leanHeaders = [
  'lib p50',
  'lib p95',
  'lean p50',
  'lean p95',
  'lib/lean p50',
  'lib/lean p95',
  'ok',
] as const;

/** An operation's cells of the lean-reference table; `failed` marks a ratio over budget. */
export function leanCells(operation: OperationReport, failed: string): string[] {
  const lean = operation.lean;
  if (!lean) return leanHeaders.map(() => '-');
  return [
    ms(lean.libraryP50Ms),
    ms(lean.libraryP95Ms),
    ms(lean.leanP50Ms),
    ms(lean.leanP95Ms),
    ratio(lean.ratioP50),
    ratio(lean.ratioP95),
    lean.pass ? 'yes' : failed,
  ];
}

/** Headers of the repeat table (both formats). */
export const repeatHeaders = ['p50 median', 'p95 median', 'p95 min-max', 'p95 each'] as const;

/** An operation's cells of the repeat table: medians, the p95 spread, each repeat's p95. */
export function repeatCells(operation: OperationReport): string[] {
  const repeats = operation.repeats;
  if (!repeats) return repeatHeaders.map(() => '-');
  return [
    ms(operation.p50Ms),
    ms(operation.p95Ms),
    `${ms(repeats.p95MinMs)}-${ms(repeats.p95MaxMs)}`,
    repeats.p95Ms.map((value) => ms(value)).join(' '),
  ];
}

/** Left-aligned columns separated by two spaces (numbers right-aligned). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const numeric = header.map((_, column) =>
    rows.every((row) => /^[-\d.,x%]*$|^-$/.test(row[column] ?? '')),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        numeric[column] ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [
    line(header),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...rows.map(line),
  ].join('\n');
}
