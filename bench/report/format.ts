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

/** Left-aligned columns separated by two spaces (numbers right-aligned). */
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

/** The cells of one open-loop load step, in both table formats; `failed` marks a missed step. */
export function loadStepCells(step: LoadStep, failed: string): string[] {
  return [
    `x${step.multiple}`,
    step.targetRate.toFixed(2),
    step.achievedRate.toFixed(1),
    ms(step.p50Ms),
    ms(step.p95Ms),
    ms(step.p99Ms),
    step.p95BudgetRatio.toFixed(2),
    ms(step.lagP95Ms),
    step.held ? 'yes' : failed,
    step.sustained ? 'yes' : failed,
  ];
}

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
