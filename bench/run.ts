import { randomBytes } from 'node:crypto';
import { createVetalyze, type Vetalyze } from '@vetalyze/db';
import pg from 'pg';
import { describeEnvironment, type Environment } from './environment.js';
import type { GeneratorOptions } from './generate/options.js';
import { createPrng } from './generate/prng.js';
import { measureLoad } from './measure/load.js';
import { prewarm } from './measure/prewarm.js';
import { measureStorage } from './measure/storage.js';
import { measureThroughput } from './measure/throughput.js';
import { measureOperations } from './operations.js';
import { checksOf, flatCostOf } from './report/checks.js';
import type { BenchReport, ScaleReport, SeedingReport } from './report/schema.js';
import { reportSchemaVersion } from './report/schema.js';
import { clinicScenarios } from './scenarios/clinic.js';
import { gatherInputs } from './scenarios/inputs.js';
import { platformScenarios } from './scenarios/platform.js';
import { StatementRecorder } from './scenarios/recorder.js';
import type { Scenario } from './scenarios/scenario.js';
import { subscriptionScenarios } from './scenarios/subscriptions.js';
import { seedingReport, seedScale } from './seed/scale.js';
import { openBenchDatabase } from './server.js';
import { significant } from './stats.js';
import { budgets, loadScenarios, type OperationTarget, seedStorageAt } from './targets.js';

/** What `vetalyze bench` runs. */
export interface BenchOptions {
  readonly scales: readonly number[];
  readonly databaseUrl?: string | undefined;
  readonly cacheDir: string;
  readonly generator: GeneratorOptions;
  readonly quick: boolean;
  /** Measuring time per operation, ms. */
  readonly timeMs: number;
  readonly warmupMs: number;
  /** Library/raw pairs per operation. */
  readonly overheadSamples: number;
  /** Library/lean pairs per operation and repeat; 0 skips the lean reference. */
  readonly leanSamples: number;
  /** Latency passes per scale after seeding once (`--repeat`); reports take the medians. */
  readonly repeat: number;
  /** Seconds per side of the throughput comparison; 0 skips it. */
  readonly throughputSeconds: number;
  /** Seconds per load step; 0 skips the load scenarios. */
  readonly loadStepSeconds: number;
  /** The load's base rate at every scale; undefined: the seed's rate at its scenarios' scales only. */
  readonly loadRate?: number | undefined;
  /** Multiples of the seed's rate the load scenarios climb through. */
  readonly loadMultiples: readonly number[];
  /** The operations with their budgets (operationTargets, or with `--budgets` applied). */
  readonly targets: readonly OperationTarget[];
  /** Only these operation ids (all when empty). */
  readonly only: readonly string[];
  /** Recreate the embedded database first (measures seeding from empty). */
  readonly fresh: boolean;
  readonly command: string;
  readonly toolVersion: string;
  /** Progress lines. */
  readonly log: (line: string) => void;
}

const throughputMix = ['owners.list', 'owners.searchName', 'owners.searchPhone', 'owners.get'];

/** One scale's measuring session: the library under test, an admin connection, the scenarios. */
interface ScaleSession {
  readonly options: BenchOptions;
  readonly databaseUrl: string;
  readonly clinics: number;
  readonly generator: GeneratorOptions;
  readonly vz: Vetalyze;
  readonly recorder: StatementRecorder;
  readonly scenarios: ReadonlyMap<string, Scenario>;
}

async function runScale(
  options: BenchOptions,
  databaseUrl: string,
  clinics: number,
  generator: GeneratorOptions,
  seeding: SeedingReport | null,
): Promise<ScaleReport> {
  const recorder = new StatementRecorder();
  // Production settings: no row validation (NODE_ENV=production's default); onQuery only counts.
  // The clinic facts, warmed once (prepareScenarios), are kept for the whole
  // scale, so that no measured call pays that one-time statement: a scale's
  // steps take longer than the default 5 minutes, after which a library call
  // to a clinic not seen since paid it, and raw replays (captured while the
  // entries were fresh) never did.
  const vz = await createVetalyze({
    connectionString: databaseUrl,
    validateRows: false,
    onQuery: recorder.onQuery,
    clinicFactsTtlMs: 24 * 60 * 60 * 1000,
  });
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await vacuum(admin, options.log);
    const warmed = await prewarm(admin);
    options.log(
      warmed === null
        ? '  prewarm: no pg_prewarm on this server; the first latency pass warms the caches'
        : `  prewarm: ${(warmed.sharedBytes / 1e6).toFixed(0)} MB into shared buffers, ${(warmed.osCacheBytes / 1e6).toFixed(0)} MB read for the OS cache`,
    );
    const scenarios = await prepareScenarios(vz, admin, generator.seed, clinics);
    const session = { options, databaseUrl, clinics, generator, vz, recorder, scenarios };
    const operations = await measureOperations(session);
    const throughput = await throughputStep(session);
    const load = await loadStep(session);
    const storage = await measureStorage(admin);
    return {
      clinics,
      rows: Object.fromEntries(storage.tables.map((table) => [table.name, table.rows])),
      seeding,
      prewarm: warmed,
      operations,
      storage: { ...storage, seedEstimateBytes: seedStorageAt(clinics) },
      throughput,
      load,
    };
  } finally {
    await Promise.all([admin.end(), vz.close()]);
  }
}

/**
 * As pgbench does before a run: earlier runs' created-then-removed rows leave
 * dead tuples and GIN pending entries; vacuuming makes every run start alike.
 */
async function vacuum(admin: pg.Client, log: (line: string) => void): Promise<void> {
  const started = performance.now();
  await admin.query(
    'vacuum (analyze) clinics, users, clinic_staff, clinic_counters, subscription_history, owners, pets',
  );
  log(`  vacuum analyze: ${((performance.now() - started) / 1000).toFixed(2)} s`);
}

/** Draws the input pools, warms every clinic's facts, and builds each operation's scenario. */
async function prepareScenarios(
  vz: Vetalyze,
  admin: pg.Client,
  seed: string,
  clinics: number,
): Promise<Map<string, Scenario>> {
  const pools = await gatherInputs(admin, vz, seed);
  const deps = {
    vz,
    admin,
    pools,
    prng: createPrng(seed, 'bench', clinics),
    runId: `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`,
  };
  // Every clinic's scope facts are cached after its first call: warm them all,
  // so a random clinic never pays that one-time statement inside a measurement.
  for (const clinicId of pools.clinicIds) await vz.forClinic(clinicId).owners.list({ limit: 1 });
  const scenarios = new Map<string, Scenario>();
  for (const scenario of [
    ...(await platformScenarios(deps)),
    ...(await clinicScenarios(deps)),
    ...(await subscriptionScenarios(deps)),
  ])
    scenarios.set(scenario.id, scenario);
  return scenarios;
}

/** Closed-loop throughput of the clinic-scope read mix, library against raw. */
async function throughputStep(session: ScaleSession): Promise<ScaleReport['throughput']> {
  const { options, scenarios, recorder, databaseUrl } = session;
  const mix = throughputMix.flatMap((id) => {
    const scenario = scenarios.get(id);
    return scenario ? [scenario] : [];
  });
  if (options.throughputSeconds <= 0 || mix.length === 0) return null;
  options.log(
    `  throughput: ${budgets.throughputCallers} callers, ${options.throughputSeconds} s per side`,
  );
  const result = await measureThroughput({
    scenarios: mix,
    recorder,
    databaseUrl,
    callers: budgets.throughputCallers,
    seconds: options.throughputSeconds,
  });
  const throughput = {
    callers: result.callers,
    seconds: result.seconds,
    operations: result.operations,
    libraryOpsPerSecond: significant(result.library.opsPerSecond, 4),
    rawOpsPerSecond: significant(result.raw.opsPerSecond, 4),
    ratio: significant(result.ratio),
    libraryP50Ms: significant(result.library.latency.p50),
    libraryP95Ms: significant(result.library.latency.p95),
    libraryP99Ms: significant(result.library.latency.p99),
    rawP99Ms: significant(result.raw.latency.p99),
    pass:
      result.ratio >= budgets.throughputRatio &&
      result.library.latency.p99 < budgets.throughputP99Ms,
  };
  options.log(
    `  throughput: library ${throughput.libraryOpsPerSecond}/s, raw ${throughput.rawOpsPerSecond}/s (${throughput.ratio}x), p99 ${throughput.libraryP99Ms} ms`,
  );
  return throughput;
}

/**
 * The open-loop load at this scale, library against raw: from the seed's rate
 * where the seed has a scenario (300, 500, 1000 clinics), or from `--load-rate`
 * at every scale, then multiples of it.
 */
async function loadStep(session: ScaleSession): Promise<ScaleReport['load']> {
  const { options, scenarios, clinics, generator, databaseUrl } = session;
  const seedRate =
    options.loadRate ??
    loadScenarios.find((candidate) => candidate.clinics === clinics)?.requestsPerSecond;
  if (seedRate === undefined || options.loadStepSeconds <= 0) return null;
  options.log(
    `  load: ${seedRate} req/s at ${clinics} clinics (${options.loadRate ? '--load-rate' : "the seed's"}), then multiples; library, then raw at each rate`,
  );
  const load = await measureLoad({
    clinics,
    seedRate,
    scenarios: new Map(scenarios),
    budgets: new Map(options.targets.map((target) => [target.id, target.budgetP95Ms])),
    multiples: options.loadMultiples,
    stepSeconds: options.loadStepSeconds,
    passes: options.repeat,
    seed: generator.seed,
    databaseUrl,
    recorder: session.recorder,
  });
  const value = (ms: number | undefined) => (ms === undefined ? '-' : significant(ms));
  for (const step of load.steps)
    options.log(
      `    x${step.multiple} ${significant(step.targetRate)} req/s: library p95 ${value(step.p95Ms)} p99 ${value(step.p99Ms)} ms${step.sustained ? '' : ' (not sustained)'}; raw p95 ${value(step.raw?.p95Ms)} p99 ${value(step.raw?.p99Ms)} ms${step.raw?.sustained ? '' : ' (not sustained)'}`,
    );
  for (const id of new Set(load.mix.map((entry) => entry.operation)))
    await scenarios.get(id)?.finish?.();
  return load;
}

/** Runs the whole ladder and returns the report (writing files is the caller's job). */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const started = new Date();
  const database = await openBenchDatabase({
    databaseUrl: options.databaseUrl,
    cacheDir: options.cacheDir,
    clinics: Math.max(...options.scales),
  });
  try {
    if (options.fresh && database.embedded) await database.recreate();
    const scales: ScaleReport[] = [];
    let environment: Environment | undefined;
    let generator = options.generator;
    for (const clinics of options.scales) {
      options.log(`scale ${clinics} clinics`);
      const seeded = await seedScale(database, clinics, generator, options.log);
      generator = seeded.generator;
      if (!environment) {
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        try {
          environment = await describeEnvironment(
            client,
            database.embedded ? 'embedded (same machine)' : 'database-url',
          );
        } finally {
          await client.end();
        }
      }
      scales.push(await runScale(options, database.url, clinics, generator, seedingReport(seeded)));
    }
    const flatCost = flatCostOf(scales);
    const checks = checksOf(scales, flatCost);
    const finished = new Date();
    if (!environment) throw new Error('no scale was run');
    return {
      schemaVersion: reportSchemaVersion,
      tool: { name: '@vetalyze/db harness', version: options.toolVersion },
      command: options.command,
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      durationSeconds: Math.round((finished.getTime() - started.getTime()) / 1000),
      quick: options.quick,
      environment,
      generator,
      settings: {
        latencyTimeMs: options.timeMs,
        warmupMs: options.warmupMs,
        overheadSamples: options.overheadSamples,
        leanSamples: options.leanSamples,
        repeat: options.repeat,
        throughputSeconds: options.throughputSeconds,
        loadStepSeconds: options.loadStepSeconds,
      },
      scales,
      flatCost,
      checks,
      pass: checks.every((check) => check.pass),
    };
  } finally {
    await database.close();
  }
}
