import pg from 'pg';
import { createPrng } from '../generate/prng.js';
import type { Scenario, Trial } from '../scenarios/scenario.js';
import { budgets } from '../targets.js';
import { type Arrival, type OpenLoopSide, runOpenLoop } from './open-loop.js';

/** The raw side of a rate step: the lean reference through its own node-postgres pool. */
export interface LoadRawSide extends OpenLoopSide {
  /** Not saturated and p99 under 10 ms. */
  readonly sustained: boolean;
}

/** One rate step of an open-loop run: the library's figures, and raw's at the same rate. */
export interface LoadStep {
  /** Multiple of the base rate. */
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
  /** 95th percentile of latency / the operation's p95 budget (kept for version-1 readers; no longer a criterion). */
  readonly p95BudgetRatio: number;
  /** p95 of how late the generator sent a request after its scheduled time, ms (included in the latencies). */
  readonly lagP95Ms: number;
  /** Not saturated and p95BudgetRatio <= 1 (kept for version-1 readers; no longer a criterion). */
  readonly held: boolean;
  /** Not saturated and p99 under 10 ms. */
  readonly sustained: boolean;
  /** The same arrivals sent through the lean reference on a node-postgres pool. */
  readonly raw?: LoadRawSide;
  /** Library p95 / raw p95 at this rate. */
  readonly ratioP95?: number;
  /** Library p99 / raw p99 at this rate. */
  readonly ratioP99?: number;
  /** Whether this step's ratios are judged: raw sustained it and each side completed at least 100 requests. */
  readonly compared?: boolean;
}

/** An open-loop load at one scale, at rising rates, library and raw alike. */
export interface LoadResult {
  readonly clinics: number;
  /** The base rate: the seed's scenario at this scale, or `--load-rate`. */
  readonly seedRate: number;
  readonly mix: readonly { readonly operation: string; readonly weight: number }[];
  readonly steps: readonly LoadStep[];
  /** The highest rate whose step held (version 1; no longer a criterion), requests/s. */
  readonly highestRateHeld: number;
  /** The library's highest rate served without saturating and with p99 under 10 ms, requests/s. */
  readonly highestRateSustained: number;
  /** Raw's highest rate sustained, requests/s. */
  readonly rawHighestRateSustained?: number;
  /** Library's / raw's highest rate sustained; null when raw sustained none. */
  readonly sustainedRatio?: number | null;
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

/** Fewest requests each side must complete at a rate before its p95 and p99 are compared. */
export const comparedMinRequests = 100;

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
 * Runs every operation of the mix 40 times, 10 at a time, through `send`,
 * before the first step: every pooled connection has then prepared the
 * statements it will be sent, as in a server that has been up for a while.
 */
async function warmUp(
  mix: readonly { readonly operation: string }[],
  scenarios: ReadonlyMap<string, Scenario>,
  send: (trial: Trial) => Promise<void>,
): Promise<void> {
  for (const { operation } of mix) {
    const scenario = scenarios.get(operation);
    if (!scenario) continue;
    for (let round = 0; round < 4; round++) {
      const trials = Array.from({ length: 10 }, () => scenario.draw());
      await Promise.all(trials.map(send));
      for (const trial of trials) await trial.settle();
    }
  }
}

/** A step's Poisson arrivals (seeded) and the operation each sends. */
function scheduleOf(
  options: { seed: string; clinics: number; budgets: ReadonlyMap<string, number> },
  mix: readonly { readonly operation: string; readonly weight: number }[],
  scenarios: ReadonlyMap<string, Scenario>,
  multiple: number,
  rate: number,
  seconds: number,
): Arrival[] {
  const prng = createPrng(options.seed, 'load', options.clinics, multiple);
  const totalWeight = mix.reduce((sum, entry) => sum + entry.weight, 0);
  const arrivals: Arrival[] = [];
  for (let t = 0; ; ) {
    t += (-Math.log(1 - prng.next()) / rate) * 1000;
    if (t >= seconds * 1000) break;
    const entry = pickWeighted(mix, prng.next() * totalWeight);
    if (!entry) break;
    const scenario = scenarios.get(entry.operation) as Scenario;
    arrivals.push({
      at: t,
      draw: () => scenario.draw(),
      budgetMs: options.budgets.get(entry.operation) ?? 1,
    });
  }
  return arrivals;
}

const sustainedOf = (side: OpenLoopSide) =>
  !side.saturated && side.p99Ms < budgets.loadSustainedP99Ms;

/**
 * Open loop at rising rates, the library against raw node-postgres driven by
 * the same generator: at each rate one schedule of Poisson arrivals (seeded)
 * and operations is sent once through the library and once through the lean
 * reference (bench/lean/) on a node-postgres pool as large as the library's,
 * in alternating order from step to step. Each latency runs from the
 * scheduled start, so queueing counts. A side sustains a rate when it did not
 * saturate (nothing failed, 90% completed at the rate) and its p99 is under
 * 10 ms. The ratio of p95 and of p99 is judged at the rates raw sustained with
 * at least 100 requests a side (a p99 of fewer is one request's luck). The
 * climb stops when both sides saturated, or both missed three steps in a row.
 */
export async function measureLoad(options: {
  clinics: number;
  seedRate: number;
  scenarios: ReadonlyMap<string, Scenario>;
  budgets: ReadonlyMap<string, number>;
  multiples: readonly number[];
  stepSeconds: number;
  seed: string;
  databaseUrl: string;
  /** Connections of the raw side's pool: the library's pool size. */
  rawPoolSize?: number;
  maxInFlight?: number;
}): Promise<LoadResult> {
  const mix = loadMix.filter((entry) => options.scenarios.has(entry.operation));
  const maxInFlight = options.maxInFlight ?? 2000;
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.rawPoolSize ?? 10,
  });
  const sendLibrary = (trial: Trial) => trial.run();
  // An operation without a lean reference (the cached status) is an
  // in-process cache hit on the raw side too: no statement.
  const sendRaw = async (trial: Trial) => {
    await trial.lean?.(pool);
  };
  const steps: LoadStep[] = [];
  try {
    await warmUp(mix, options.scenarios, sendLibrary);
    await warmUp(mix, options.scenarios, sendRaw);
    for (const multiple of options.multiples) {
      const rate = options.seedRate * multiple;
      // At the seed's own rates a few seconds hold a handful of requests: run long
      // enough for about ten, at most 15 s.
      const seconds = Math.min(15, Math.max(options.stepSeconds, 10 / rate));
      const arrivals = scheduleOf(options, mix, options.scenarios, multiple, rate, seconds);
      const run = (send: (trial: Trial) => Promise<void>) =>
        runOpenLoop({ arrivals, seconds, rate, send, maxInFlight });
      let library: OpenLoopSide;
      let raw: OpenLoopSide;
      if (steps.length % 2 === 0) {
        library = await run(sendLibrary);
        raw = await run(sendRaw);
      } else {
        raw = await run(sendRaw);
        library = await run(sendLibrary);
      }
      const rawSide = { ...raw, sustained: sustainedOf(raw) };
      steps.push({
        multiple,
        targetRate: rate,
        seconds,
        requests: arrivals.length,
        completed: library.completed,
        errors: library.errors,
        achievedRate: library.achievedRate,
        p50Ms: library.p50Ms,
        p95Ms: library.p95Ms,
        p99Ms: library.p99Ms,
        p95BudgetRatio: library.p95BudgetRatio,
        lagP95Ms: library.lagP95Ms,
        held: !library.saturated && library.p95BudgetRatio <= 1,
        sustained: sustainedOf(library),
        raw: rawSide,
        ratioP95: library.p95Ms / raw.p95Ms,
        ratioP99: library.p99Ms / raw.p99Ms,
        compared:
          rawSide.sustained &&
          library.completed >= comparedMinRequests &&
          raw.completed >= comparedMinRequests,
      });
      // On a shared machine a step of few requests can miss on one slow wake-up:
      // climb on until both sides saturated, or both missed three steps in a row.
      const missedThrice = (pick: (step: LoadStep) => boolean) =>
        steps.length >= 3 && steps.slice(-3).every((step) => !pick(step));
      if (
        (library.saturated && raw.saturated) ||
        (missedThrice((step) => step.sustained) &&
          missedThrice((step) => step.raw?.sustained ?? false))
      )
        break;
    }
  } finally {
    await pool.end();
  }
  const highest = (pick: (step: LoadStep) => boolean) =>
    Math.max(0, ...steps.filter(pick).map((step) => step.targetRate));
  const libraryHighest = highest((step) => step.sustained);
  const rawHighest = highest((step) => step.raw?.sustained ?? false);
  return {
    clinics: options.clinics,
    seedRate: options.seedRate,
    mix,
    steps,
    highestRateHeld: highest((step) => step.held),
    highestRateSustained: libraryHighest,
    rawHighestRateSustained: rawHighest,
    sustainedRatio: rawHighest > 0 ? libraryHighest / rawHighest : null,
  };
}
