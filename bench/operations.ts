import type { Vetalyze } from '@vetalyze/db';
import type { GeneratorOptions } from './generate/options.js';
import { type LatencyResult, measureLatency } from './measure/latency.js';
import { type LeanResult, measureLean } from './measure/lean.js';
import { measureOverhead, type OverheadResult } from './measure/overhead.js';
import { operationReport } from './report/operation.js';
import type { OperationReport } from './report/schema.js';
import type { BenchOptions } from './run.js';
import type { StatementRecorder } from './scenarios/recorder.js';
import type { Scenario } from './scenarios/scenario.js';
import { significant } from './stats.js';
import type { OperationTarget } from './targets.js';

/** What measuring the operations of one scale needs (a part of run.ts's scale session). */
export interface OperationsSession {
  readonly options: BenchOptions;
  readonly clinics: number;
  readonly generator: GeneratorOptions;
  readonly vz: Vetalyze;
  readonly recorder: StatementRecorder;
  readonly scenarios: ReadonlyMap<string, Scenario>;
}

/** What one operation gathered over the passes. */
interface Gathered {
  readonly target: OperationTarget;
  readonly latencies: LatencyResult[];
  readonly leans: LeanResult[];
  overhead: OverheadResult | null;
}

/**
 * Latency, library/lean pairs and (first pass only) library/raw pairs of every
 * chosen operation in turn, `repeat` passes over all of them: a pass apart in
 * time, so the spread over passes shows what the machine's drift does to a figure.
 */
export async function measureOperations(session: OperationsSession): Promise<OperationReport[]> {
  const { options, scenarios, clinics, generator } = session;
  const gathered: Gathered[] = [];
  for (const target of options.targets) {
    if (options.only.length > 0 && !options.only.includes(target.id)) continue;
    if (!scenarios.has(target.id)) {
      options.log(`  ${target.id}: no scenario (API missing), skipped`);
      continue;
    }
    gathered.push({ target, latencies: [], leans: [], overhead: null });
  }
  for (let pass = 0; pass < options.repeat; pass++) {
    if (options.repeat > 1) options.log(`  pass ${pass + 1} of ${options.repeat}`);
    for (const entry of gathered) await measureOperation(session, entry, pass);
  }
  return gathered.map((entry) =>
    operationReport(
      entry.target,
      clinics,
      generator.ownersPerClinic,
      entry.latencies,
      entry.overhead,
      entry.leans,
    ),
  );
}

/** One pass of one operation: latency, then its lean pairs, then (first pass) its replay pairs. */
async function measureOperation(session: OperationsSession, entry: Gathered, pass: number) {
  const { options, scenarios, recorder, vz } = session;
  const { target } = entry;
  const scenario = scenarios.get(target.id) as Scenario;
  await scenario.prepare?.();
  try {
    const latency = await measureLatency(scenario, recorder, {
      timeMs: options.timeMs,
      warmupMs: options.warmupMs,
      warmupIterations: 30,
      minIterations: 64,
    });
    entry.latencies.push(latency);
    let lean: LeanResult | null = null;
    if (options.leanSamples > 0) {
      await scenario.prepare?.();
      lean = await measureLean(scenario, target.kind, vz, options.leanSamples);
      if (lean) entry.leans.push(lean);
    }
    if (pass === 0 && options.overheadSamples > 0) {
      await scenario.prepare?.();
      entry.overhead = await measureOverhead(
        scenario,
        target.kind,
        recorder,
        vz,
        options.overheadSamples,
      );
    }
    const ms = (value: number) => significant(value);
    options.log(
      `  ${target.id.padEnd(32)} p50 ${ms(latency.latency.p50)} ms  p95 ${ms(latency.latency.p95)} ms  (budget ${target.budgetP95Ms})` +
        (lean ? `  vs lean p50 ${ms(lean.ratioP50)}x p95 ${ms(lean.ratioP95)}x` : '') +
        (pass === 0 && entry.overhead
          ? `  vs raw p50 ${ms(entry.overhead.ratioP50)}x p95 ${ms(entry.overhead.ratioP95)}x`
          : ''),
    );
  } finally {
    await scenario.finish?.();
  }
}
