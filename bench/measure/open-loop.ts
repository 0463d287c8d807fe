import { quantileSorted, summarize } from '../stats.js';

/** One scheduled request: when (ms after the step's start) and which operation it sends. */
export interface Arrival {
  readonly at: number;
  readonly operation: string;
  /** The operation's p95 budget, ms (for the version-1 `p95BudgetRatio`). */
  readonly budgetMs: number;
}

/** One request as a side sends it: the timed call, and the untimed cleanup after it. */
export interface LoadRequest {
  send(): Promise<void>;
  /** Removes what a write added (nothing for a read). */
  settle(): Promise<void>;
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
 * (open loop), each made by `request` when it is due, and measures each
 * latency from its scheduled start, so queueing counts. A write is cleaned up
 * as soon as it completed, outside its latency (both sides alike; a replayed
 * write may come round again within the step). `seconds` is the step's
 * planned length.
 */
export async function runOpenLoop(options: {
  arrivals: readonly Arrival[];
  seconds: number;
  rate: number;
  request: (operation: string) => LoadRequest;
  maxInFlight: number;
}): Promise<OpenLoopSide> {
  const { arrivals } = options;
  const latencies: number[] = [];
  const lags: number[] = [];
  const ratios: number[] = [];
  let errors = 0;
  let inFlight = 0;
  let overloaded = false;
  const running: Promise<void>[] = [];
  // Cleanups share the harness's one admin connection, so they run one after
  // another, as node-postgres would queue them (it deprecates queueing on a
  // busy client: "Calling client.query() when the client is already executing
  // a query", removed in pg 9).
  let cleanups = Promise.resolve();
  const settleInTurn = (request: LoadRequest) => {
    const settled = cleanups.then(() => request.settle());
    cleanups = settled.catch(() => {});
    return settled;
  };
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
    const request = options.request(arrival.operation);
    lags.push(performance.now() - due);
    inFlight++;
    running.push(
      request.send().then(
        () => {
          inFlight--;
          const latency = performance.now() - due;
          latencies.push(latency);
          ratios.push(latency / arrival.budgetMs);
          return settleInTurn(request);
        },
        () => {
          inFlight--;
          errors++;
        },
      ),
    );
  }
  await Promise.all(running);
  const elapsed = Math.max(options.seconds, (performance.now() - start) / 1000);
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
