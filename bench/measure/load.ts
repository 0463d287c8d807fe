import { createPrng } from '../generate/prng.js';
import type { Scenario, Trial } from '../scenarios/scenario.js';
import { quantileSorted, summarize } from '../stats.js';

/** One rate step of an open-loop run. */
export interface LoadStep {
  /** Multiple of the seed's request rate. */
  readonly multiple: number;
  readonly targetRate: number;
  readonly seconds: number;
  readonly requests: number;
  readonly completed: number;
  readonly errors: number;
  /** Completed requests per second of the step. */
  readonly achievedRate: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  /** 95th percentile of latency / the operation's p95 budget; held when <= 1. */
  readonly p95BudgetRatio: number;
  /** p95 of how late the generator sent a request after its scheduled time, ms (included in the latencies). */
  readonly lagP95Ms: number;
  /** p95 within budget (see measureLoad). */
  readonly held: boolean;
  /** Not saturated and p99 under the throughput budget's 10 ms. */
  readonly sustained: boolean;
}

/** The seed's load scenario at one scale, run open loop at rising rates. */
export interface LoadResult {
  readonly clinics: number;
  readonly seedRate: number;
  readonly mix: readonly { readonly operation: string; readonly weight: number }[];
  readonly steps: readonly LoadStep[];
  /** The highest rate whose step held (p95 within budget), requests/s; 0 when none held. */
  readonly highestRateHeld: number;
  /** The highest rate served without saturating and with p99 under 10 ms, requests/s. */
  readonly highestRateSustained: number;
}

/** The mixed workload: what clinic staff and operators do most (weights in percent). */
export const loadMix: readonly { readonly operation: string; readonly weight: number }[] = [
  { operation: 'owners.list', weight: 18 },
  { operation: 'owners.searchName', weight: 15 },
  { operation: 'owners.searchPhone', weight: 10 },
  { operation: 'owners.get', weight: 20 },
  { operation: 'owners.create', weight: 5 },
  { operation: 'clinics.get', weight: 10 },
  { operation: 'clinics.statusCached', weight: 10 },
  { operation: 'clinics.list', weight: 5 },
  { operation: 'subscriptions.listActive', weight: 4 },
  { operation: 'subscriptions.listByMonth', weight: 3 },
];

/** The entry whose cumulative weight first exceeds `point`. */
function pickWeighted<T extends { readonly weight: number }>(
  entries: readonly T[],
  point: number,
): T | undefined {
  let remaining = point;
  for (const entry of entries) {
    remaining -= entry.weight;
    if (remaining < 0) return entry;
  }
  return entries[entries.length - 1];
}

/**
 * Runs every operation of the mix 40 times, 10 at a time, before the first
 * step: every pooled connection has then prepared the statements it will be
 * sent, as in a server that has been up for a while.
 */
async function warmUp(
  mix: readonly { readonly operation: string }[],
  scenarios: ReadonlyMap<string, Scenario>,
): Promise<void> {
  for (const { operation } of mix) {
    const scenario = scenarios.get(operation);
    if (!scenario) continue;
    for (let round = 0; round < 4; round++) {
      const trials = Array.from({ length: 10 }, () => scenario.draw());
      await Promise.all(trials.map((trial) => trial.run()));
      for (const trial of trials) await trial.settle();
    }
  }
}

/** p99 a sustained step stays under: the throughput budget's. */
const sustainedP99Ms = 10;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Open loop: arrivals are scheduled in advance (Poisson, seeded) and fired on
 * time whether or not earlier requests have finished, and each latency is
 * measured from its scheduled start, so queueing counts. Each step runs at a
 * multiple of the seed's rate. A step holds when the p95 of latency/budget is
 * at most 1, nothing failed and at least 90% of the arrivals completed at the
 * rate; it is sustained when not saturated with p99 under 10 ms. The run
 * stops at a saturated step, or after two steps in a row that neither held
 * nor sustained.
 */
export async function measureLoad(options: {
  clinics: number;
  seedRate: number;
  scenarios: ReadonlyMap<string, Scenario>;
  budgets: ReadonlyMap<string, number>;
  multiples: readonly number[];
  stepSeconds: number;
  seed: string;
  maxInFlight?: number;
}): Promise<LoadResult> {
  const mix = loadMix.filter((entry) => options.scenarios.has(entry.operation));
  const totalWeight = mix.reduce((sum, entry) => sum + entry.weight, 0);
  const steps: LoadStep[] = [];
  const maxInFlight = options.maxInFlight ?? 2000;
  await warmUp(mix, options.scenarios);
  for (const multiple of options.multiples) {
    const rate = options.seedRate * multiple;
    // At the seed's own rates a few seconds hold a handful of requests: run long
    // enough for about ten, at most 15 s.
    const seconds = Math.min(15, Math.max(options.stepSeconds, 10 / rate));
    const prng = createPrng(options.seed, 'load', options.clinics, multiple);
    const arrivals: number[] = [];
    for (let t = 0; ; ) {
      t += (-Math.log(1 - prng.next()) / rate) * 1000;
      if (t >= seconds * 1000) break;
      arrivals.push(t);
    }
    const latencies: number[] = [];
    const lags: number[] = [];
    const ratios: number[] = [];
    const toSettle: Trial[] = [];
    let errors = 0;
    let inFlight = 0;
    let overloaded = false;
    const running: Promise<void>[] = [];
    const start = performance.now() + 5;
    for (const at of arrivals) {
      const due = start + at;
      for (let wait = due - performance.now(); wait > 0; wait = due - performance.now()) {
        // Timers for the long waits; only the last millisecond is polled, so the
        // generator does not take a core from the server it measures.
        if (wait > 1.2) await sleep(wait - 1);
        else await tick();
      }
      if (inFlight >= maxInFlight) {
        overloaded = true;
        break;
      }
      const entry = pickWeighted(mix, prng.next() * totalWeight);
      if (!entry) break;
      const trial = (options.scenarios.get(entry.operation) as Scenario).draw();
      lags.push(performance.now() - due);
      const budget = options.budgets.get(entry.operation) ?? 1;
      inFlight++;
      running.push(
        trial
          .run()
          .then(
            () => {
              const latency = performance.now() - due;
              latencies.push(latency);
              ratios.push(latency / budget);
              toSettle.push(trial);
            },
            () => {
              errors++;
            },
          )
          .finally(() => {
            inFlight--;
          }),
      );
    }
    await Promise.all(running);
    const elapsed = Math.max(seconds, (performance.now() - start) / 1000);
    for (const trial of toSettle) await trial.settle();
    const summary = summarize(latencies);
    const sortedRatios = [...ratios].sort((a, b) => a - b);
    const p95BudgetRatio = sortedRatios.length > 0 ? quantileSorted(sortedRatios, 0.95) : 0;
    const achievedRate = latencies.length / elapsed;
    const saturated =
      overloaded ||
      errors > 0 ||
      latencies.length < arrivals.length * 0.9 ||
      (arrivals.length >= 20 && achievedRate < rate * 0.9);
    const held = !saturated && p95BudgetRatio <= 1;
    const sustained = !saturated && summary.p99 < sustainedP99Ms;
    steps.push({
      multiple,
      targetRate: rate,
      seconds,
      requests: arrivals.length,
      completed: latencies.length,
      errors,
      achievedRate,
      p50Ms: summary.p50,
      p95Ms: summary.p95,
      p99Ms: summary.p99,
      p95BudgetRatio,
      lagP95Ms: summarize(lags).p95,
      held,
      sustained,
    });
    // A miss at the lowest rates is the idle machine waking for each request
    // (docs/capacity-planning.md), and a step of few requests has a noisy p99: stop
    // when saturated, or after two steps in a row that neither held nor sustained.
    const previous = steps[steps.length - 2];
    const missed = (step: LoadStep | undefined) =>
      step !== undefined && !step.held && !step.sustained;
    if (saturated || (missed(steps[steps.length - 1]) && missed(previous))) break;
  }
  const highest = (pick: (step: LoadStep) => boolean) =>
    Math.max(0, ...steps.filter(pick).map((step) => step.targetRate));
  return {
    clinics: options.clinics,
    seedRate: options.seedRate,
    mix,
    steps,
    highestRateHeld: highest((step) => step.held),
    highestRateSustained: highest((step) => step.sustained),
  };
}
