import type { Trial } from '../scenarios/scenario.js';
import { quantileSorted, summarize } from '../stats.js';

/** One scheduled request: when (ms after the step's start) and which trial it sends. */
export interface Arrival {
  readonly at: number;
  /** Draws the request's input when it is due. */
  readonly draw: () => Trial;
  /** The operation's p95 budget, ms (for the version-1 `p95BudgetRatio`). */
  readonly budgetMs: number;
}

/** What one side (library or raw) did at one rate. */
export interface OpenLoopSide {
  readonly completed: number;
  readonly errors: number;
  /** Completed requests per second of the step. */
  readonly achievedRate: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  /** 95th percentile of latency / the operation's p95 budget. */
  readonly p95BudgetRatio: number;
  /** p95 of how late the generator sent a request after its scheduled time, ms (included in the latencies). */
  readonly lagP95Ms: number;
  /** Requests piled up, failed, or fewer than 90% completed at the rate. */
  readonly saturated: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Fires `arrivals` on time whether or not earlier requests have finished
 * (open loop), each through `send`, and measures each latency from its
 * scheduled start, so queueing counts. Trials are settled after the step,
 * outside it. `seconds` is the step's planned length.
 */
export async function runOpenLoop(options: {
  arrivals: readonly Arrival[];
  seconds: number;
  rate: number;
  send: (trial: Trial) => Promise<void>;
  maxInFlight: number;
}): Promise<OpenLoopSide> {
  const { arrivals, send } = options;
  const latencies: number[] = [];
  const lags: number[] = [];
  const ratios: number[] = [];
  const toSettle: Trial[] = [];
  let errors = 0;
  let inFlight = 0;
  let overloaded = false;
  const running: Promise<void>[] = [];
  const start = performance.now() + 5;
  for (const arrival of arrivals) {
    const due = start + arrival.at;
    for (let wait = due - performance.now(); wait > 0; wait = due - performance.now()) {
      // Timers for the long waits; only the last millisecond is polled, so the
      // generator does not take a core from the server it measures.
      if (wait > 1.2) await sleep(wait - 1);
      else await tick();
    }
    if (inFlight >= options.maxInFlight) {
      overloaded = true;
      break;
    }
    const trial = arrival.draw();
    lags.push(performance.now() - due);
    inFlight++;
    running.push(
      send(trial)
        .then(
          () => {
            const latency = performance.now() - due;
            latencies.push(latency);
            ratios.push(latency / arrival.budgetMs);
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
  const elapsed = Math.max(options.seconds, (performance.now() - start) / 1000);
  for (const trial of toSettle) await trial.settle();
  const summary = summarize(latencies);
  const sortedRatios = [...ratios].sort((a, b) => a - b);
  const achievedRate = latencies.length / elapsed;
  return {
    completed: latencies.length,
    errors,
    achievedRate,
    p50Ms: summary.p50,
    p95Ms: summary.p95,
    p99Ms: summary.p99,
    p95BudgetRatio: sortedRatios.length > 0 ? quantileSorted(sortedRatios, 0.95) : 0,
    lagP95Ms: summarize(lags).p95,
    saturated:
      overloaded ||
      errors > 0 ||
      latencies.length < arrivals.length * 0.9 ||
      (arrivals.length >= 20 && achievedRate < options.rate * 0.9),
  };
}
