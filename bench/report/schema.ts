import type { Environment } from '../environment.js';
import type { GeneratorOptions } from '../generate/options.js';
import type { LoadResult } from '../measure/load.js';
import type { PrewarmResult } from '../measure/prewarm.js';
import type { StorageResult } from '../measure/storage.js';
import type { OperationScope } from '../targets.js';

/**
 * The JSON report, version 1 (docs/harness.md documents every field). A
 * change that renames or removes a field bumps `schemaVersion`; adding one does not.
 */
export const reportSchemaVersion = 1;

/** The library against raw node-postgres on the same statements. */
export interface OverheadReport {
  readonly samples: number;
  readonly libraryP50Ms: number;
  readonly libraryP95Ms: number;
  readonly rawP50Ms: number;
  readonly rawP95Ms: number;
  readonly ratioP50: number;
  readonly ratioP95: number;
  readonly pass: boolean;
}

/**
 * The library against the lean reference (bench/lean/) on the same inputs,
 * alternating; with `--repeat`, each figure is the median over the repeats.
 */
export interface LeanReport {
  /** Pairs measured, over all repeats. */
  readonly samples: number;
  readonly libraryP50Ms: number;
  readonly libraryP95Ms: number;
  readonly leanP50Ms: number;
  readonly leanP95Ms: number;
  /** library p50 / lean p50 (the median of each repeat's ratio). */
  readonly ratioP50: number;
  /** library p95 / lean p95 (the median of each repeat's ratio). */
  readonly ratioP95: number;
  /** ratioP50 within budgets.leanRatioP50. */
  readonly pass: boolean;
}

/** Each repeat's p50 and p95 (`--repeat N`), of which the operation reports the medians. */
export interface RepeatReport {
  readonly count: number;
  readonly p50Ms: readonly number[];
  readonly p95Ms: readonly number[];
  /** The spread of p95 over the repeats: lowest and highest. */
  readonly p95MinMs: number;
  readonly p95MaxMs: number;
}

/** One operation at one scale. */
export interface OperationReport {
  readonly id: string;
  readonly label: string;
  readonly scope: OperationScope;
  readonly kind: 'read' | 'write';
  readonly samples: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  readonly opsPerSecond: number;
  readonly statementsPerCall: number;
  /** The seed's figure at this scale (null when the seed gives no number). */
  readonly seedFigureMs: {
    readonly low: number;
    readonly high: number;
    readonly source: string;
  } | null;
  /** The seed's words when it gives no number. */
  readonly seedFigureText: string | null;
  /** Seed figure's low end / our p95 (how many times faster); null without a seed figure. */
  readonly headroom: number | null;
  readonly budgetP95Ms: number;
  readonly floorMs: number | null;
  /** p95 within budget. */
  readonly pass: boolean;
  readonly overhead: OverheadReport | null;
  /** Against the lean reference; null without one (absent in reports made before it). */
  readonly lean?: LeanReport | null;
  /** What the library returns beyond what the seed's operation needs (targets.ts). */
  readonly leanNote?: string | null;
  /** Each repeat's figures; p50Ms, p95Ms, p99Ms and meanMs are their medians. */
  readonly repeats?: RepeatReport;
  /** p50/p95 per kind of input (search terms by length, first or later page); may be empty. */
  readonly byInput: readonly {
    readonly tag: string;
    readonly samples: number;
    readonly p50Ms: number;
    readonly p95Ms: number;
  }[];
}

/** What seeding this scale did. */
export interface SeedingReport {
  readonly clinicsBefore: number;
  readonly clinicsAfter: number;
  readonly strategy: string;
  readonly seconds: number;
  readonly rows: Readonly<Record<string, number>>;
  readonly phases: readonly { readonly name: string; readonly seconds: number }[];
}

/** Storage beside the seed's estimate. */
export interface StorageReport extends StorageResult {
  /** The seed's "with indexes" estimate at this scale, bytes. */
  readonly seedEstimateBytes: number;
}

/** The closed-loop throughput comparison. */
export interface ThroughputReport {
  readonly callers: number;
  readonly seconds: number;
  readonly operations: readonly string[];
  readonly libraryOpsPerSecond: number;
  readonly rawOpsPerSecond: number;
  readonly ratio: number;
  readonly libraryP50Ms: number;
  readonly libraryP95Ms: number;
  readonly libraryP99Ms: number;
  readonly rawP99Ms: number;
  readonly pass: boolean;
}

/** Everything measured at one scale. */
export interface ScaleReport {
  readonly clinics: number;
  /** Rows per table (planner estimates after ANALYZE). */
  readonly rows: Readonly<Record<string, number>>;
  readonly seeding: SeedingReport | null;
  /** What was loaded into memory before measuring (pg_prewarm); null without it. */
  readonly prewarm?: PrewarmResult | null;
  readonly operations: readonly OperationReport[];
  readonly storage: StorageReport;
  readonly throughput: ThroughputReport | null;
  readonly load: LoadResult | null;
}

/** p95 at the largest scale against the smallest, per clinic-scope operation. */
export interface FlatCostReport {
  readonly operation: string;
  readonly fromClinics: number;
  readonly toClinics: number;
  readonly fromP95Ms: number;
  readonly toP95Ms: number;
  readonly ratio: number;
  readonly pass: boolean;
}

/** One budget check; `--check` fails when any has `pass: false`. */
export interface CheckReport {
  /** e.g. `latency`, `seed-figure`, `overhead-p50`, `flat-cost`, `throughput`, `storage`, `seeding`. */
  readonly kind: string;
  readonly operation: string | null;
  readonly clinics: number | null;
  readonly actual: number;
  readonly limit: number;
  readonly unit: string;
  readonly pass: boolean;
  readonly message: string;
}

/** The whole report. */
export interface BenchReport {
  readonly schemaVersion: typeof reportSchemaVersion;
  readonly tool: { readonly name: string; readonly version: string };
  readonly command: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationSeconds: number;
  readonly quick: boolean;
  readonly environment: Environment;
  readonly generator: GeneratorOptions;
  readonly settings: {
    readonly latencyTimeMs: number;
    readonly warmupMs: number;
    readonly overheadSamples: number;
    readonly throughputSeconds: number;
    readonly loadStepSeconds: number;
    /** Library/lean pairs per operation and repeat (absent before it existed). */
    readonly leanSamples?: number;
    /** Latency passes per scale (`--repeat`). */
    readonly repeat?: number;
  };
  readonly scales: readonly ScaleReport[];
  readonly flatCost: readonly FlatCostReport[];
  readonly checks: readonly CheckReport[];
  /** Every check passed. */
  readonly pass: boolean;
}
