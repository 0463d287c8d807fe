import { readFile } from 'node:fs/promises';
import { failedChecks } from '../report/checks.js';
import type { BenchReport } from '../report/schema.js';
import { terminalReport } from '../report/terminal.js';
import { writeReports } from '../report/write.js';
import { runBench } from '../run.js';
import { generatorOptionsFrom } from './options.js';
import { targetsWithBudgets } from './preflight.js';

/** Flags of `vetalyze bench` after parsing. */
export interface BenchFlags extends Record<string, unknown> {
  scales: number[];
  databaseUrl?: string;
  cacheDir: string;
  out: string;
  check?: boolean;
  quick?: boolean;
  fresh?: boolean;
  time?: number;
  overheadSamples?: number;
  leanSamples?: number;
  /** Latency passes per scale and passes per open-loop rate (see {@link passesOf}). */
  repeat?: number;
  /** Base rate of the open-loop load at every scale; absent: the seed's scenarios only. */
  loadRate?: number;
  throughputSeconds?: number;
  loadStepSeconds?: number;
  /** Operation ids to measure; all when absent. */
  only?: string[];
  /** A JSON file of p95 budgets per operation id (see targetsWithBudgets). */
  budgets?: string;
  /** Check kinds `--check` enforces; all when absent. */
  checkKinds?: string[];
}

async function toolVersion(): Promise<string> {
  try {
    const text = await readFile(new URL('../package.json', import.meta.url), 'utf8');
    return (JSON.parse(text) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Passes per scale and per open-loop rate: `--repeat`, else 3, so a plain run
 * reports each figure as the median of three passes with their spread (one
 * pass at twice its time, which a shared machine gives now and then, moves
 * no median); `--quick` runs one.
 */
export function passesOf(flags: Pick<BenchFlags, 'repeat' | 'quick'>): number {
  return flags.repeat ?? (flags.quick === true ? 1 : 3);
}

/**
 * What `--check` makes of a report: the exit code, and one line per missed
 * budget naming it. `kinds` limits the checks enforced (all when empty).
 */
export function checkOutcome(
  report: Pick<BenchReport, 'checks'>,
  kinds: readonly string[] = [],
): {
  exitCode: 0 | 1;
  lines: string[];
} {
  const failed = failedChecks(report).filter(
    (check) => kinds.length === 0 || kinds.includes(check.kind),
  );
  return {
    exitCode: failed.length > 0 ? 1 : 0,
    lines: failed.map((check) => `budget missed: ${check.message}`),
  };
}

/** Runs the ladder, writes the reports, prints the table; with --check, fails on a missed budget. */
export async function benchCommand(flags: BenchFlags): Promise<void> {
  const quick = flags.quick === true;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const report = await runBench({
    scales: flags.scales,
    databaseUrl: flags.databaseUrl,
    cacheDir: flags.cacheDir,
    generator: generatorOptionsFrom(flags),
    quick,
    timeMs: flags.time ?? (quick ? 400 : 1000),
    warmupMs: quick ? 150 : 300,
    overheadSamples: flags.overheadSamples ?? (quick ? 80 : 500),
    leanSamples: flags.leanSamples ?? (quick ? 60 : 300),
    repeat: passesOf(flags),
    loadRate: flags.loadRate,
    throughputSeconds: flags.throughputSeconds ?? (quick ? 6 : 20),
    loadStepSeconds: flags.loadStepSeconds ?? (quick ? 2 : 4),
    loadMultiples: [1, 10, 100, 300, 1000, 3000, 10000],
    targets: await targetsWithBudgets(flags.budgets),
    only: flags.only ?? [],
    fresh: flags.fresh === true,
    command: `vetalyze ${process.argv.slice(2).join(' ')}`,
    toolVersion: await toolVersion(),
    log,
  });
  process.stdout.write(terminalReport(report));
  const paths = await writeReports(report, flags.out);
  log(`reports: ${paths.join(', ')}`);
  if (flags.check) {
    const outcome = checkOutcome(report, flags.checkKinds ?? []);
    for (const line of outcome.lines) process.stderr.write(`${line}\n`);
    if (outcome.exitCode !== 0) process.exitCode = outcome.exitCode;
  }
}
