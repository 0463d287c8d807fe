import { Bench } from 'tinybench';
import type { StatementRecorder } from '../scenarios/recorder.js';
import type { Scenario, Trial } from '../scenarios/scenario.js';
import { type LatencySummary, summarize } from '../stats.js';

/** How long tinybench measures each operation. */
export interface LatencySettings {
  /** Measuring time per operation, ms. */
  readonly timeMs: number;
  /** Warm-up time per operation, ms (prepared statements, caches, JIT). */
  readonly warmupMs: number;
  /** Fewest warm-up calls. */
  readonly warmupIterations: number;
  /** Fewest measured calls. */
  readonly minIterations: number;
}

/** One operation's latency through the public API. */
export interface LatencyResult {
  readonly latency: LatencySummary;
  /** Sequential calls per second: 1000 / mean latency. */
  readonly opsPerSecond: number;
  /** Statements the library sent per call (onQuery), warm-up included. */
  readonly statementsPerCall: number;
  /** Latency per kind of input (e.g. search terms by length), when the trials say. */
  readonly byInput: readonly { readonly tag: string; readonly latency: LatencySummary }[];
}

/**
 * Measures one operation with tinybench after its warm-up: a new input is
 * drawn before each call and the data set restored after it, both outside the
 * timed window. p95 and p99 come from the retained samples.
 */
export async function measureLatency(
  scenario: Scenario,
  recorder: StatementRecorder,
  settings: LatencySettings,
): Promise<LatencyResult> {
  const bench = new Bench({
    time: settings.timeMs,
    warmupTime: settings.warmupMs,
    warmupIterations: settings.warmupIterations,
    iterations: settings.minIterations,
    retainSamples: true,
    throws: true,
  });
  let trial: Trial | undefined;
  let calls = 0;
  let measuring = false;
  const statementsBefore = recorder.count;
  // Tagged inputs are also timed here (tinybench keeps samples sorted, not by input).
  const tagged = new Map<string, number[]>();
  bench.add(
    scenario.id,
    async () => {
      calls++;
      const started = performance.now();
      await trial?.run();
      const tag = trial?.tag;
      if (measuring && tag) {
        const list = tagged.get(tag) ?? [];
        list.push(performance.now() - started);
        tagged.set(tag, list);
      }
    },
    {
      async: true,
      beforeAll: (mode) => {
        measuring = mode === 'run';
      },
      beforeEach: () => {
        trial = scenario.draw();
      },
      afterEach: async () => {
        await trial?.settle();
      },
    },
  );
  await bench.run();
  const task = bench.getTask(scenario.id);
  const result = task?.result;
  if (!result || !('latency' in result)) {
    const error = result && 'error' in result ? result.error : undefined;
    throw new Error(`${scenario.id}: the benchmark did not complete`, { cause: error });
  }
  const latency = summarize(result.latency.samples ?? []);
  return {
    latency,
    opsPerSecond: latency.mean > 0 ? 1000 / latency.mean : 0,
    statementsPerCall: calls > 0 ? (recorder.count - statementsBefore) / calls : 0,
    byInput: [...tagged]
      .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
      .map(([tag, samples]) => ({ tag, latency: summarize(samples) })),
  };
}
