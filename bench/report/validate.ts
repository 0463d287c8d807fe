import { z } from 'zod';
import type { BenchReport } from './schema.js';

const operation = z.object({
  id: z.string().min(1),
  label: z.string(),
  scope: z.enum(['platform', 'clinic', 'subscriptions', 'cache']),
  kind: z.enum(['read', 'write']),
  samples: z.number().int().positive(),
  p50Ms: z.number().nonnegative(),
  p95Ms: z.number().nonnegative(),
  p99Ms: z.number().nonnegative(),
  meanMs: z.number().nonnegative(),
  opsPerSecond: z.number().nonnegative(),
  statementsPerCall: z.number().nonnegative(),
  seedFigureMs: z.object({ low: z.number(), high: z.number(), source: z.string() }).nullable(),
  seedFigureText: z.string().nullable(),
  headroom: z.number().nullable(),
  budgetP95Ms: z.number().positive(),
  floorMs: z.number().nullable(),
  pass: z.boolean(),
  overhead: z
    .object({
      samples: z.number().int().positive(),
      libraryP50Ms: z.number(),
      libraryP95Ms: z.number(),
      rawP50Ms: z.number(),
      rawP95Ms: z.number(),
      ratioP50: z.number(),
      ratioP95: z.number(),
      pass: z.boolean(),
    })
    .nullable(),
  byInput: z.array(
    z.object({
      tag: z.string(),
      samples: z.number().int().positive(),
      p50Ms: z.number(),
      p95Ms: z.number(),
    }),
  ),
  // Added within version 1: optional, so earlier reports still parse.
  lean: z
    .object({
      samples: z.number().int().positive(),
      libraryP50Ms: z.number(),
      libraryP95Ms: z.number(),
      leanP50Ms: z.number(),
      leanP95Ms: z.number(),
      ratioP50: z.number(),
      ratioP95: z.number(),
      pass: z.boolean(),
    })
    .nullable()
    .optional(),
  leanNote: z.string().nullable().optional(),
  repeats: z
    .object({
      count: z.number().int().positive(),
      p50Ms: z.array(z.number()),
      p95Ms: z.array(z.number()),
      p95MinMs: z.number(),
      p95MaxMs: z.number(),
    })
    .optional(),
});

const loadStep = z.object({
  multiple: z.number().positive(),
  targetRate: z.number().positive(),
  seconds: z.number().positive(),
  requests: z.number().int().nonnegative(),
  completed: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  achievedRate: z.number().nonnegative(),
  p50Ms: z.number(),
  p95Ms: z.number(),
  p99Ms: z.number(),
  p95BudgetRatio: z.number().nonnegative(),
  lagP95Ms: z.number(),
  held: z.boolean(),
  sustained: z.boolean(),
  p99Each: z.array(z.number()).optional(),
  raw: z
    .object({
      completed: z.number().int().nonnegative(),
      errors: z.number().int().nonnegative(),
      achievedRate: z.number().nonnegative(),
      p50Ms: z.number(),
      p95Ms: z.number(),
      p99Ms: z.number(),
      p95BudgetRatio: z.number().nonnegative(),
      lagP95Ms: z.number(),
      saturated: z.boolean(),
      sustained: z.boolean(),
      p99Each: z.array(z.number()).optional(),
    })
    .optional(),
  ratioP95: z.number().optional(),
  ratioP99: z.number().optional(),
  compared: z.boolean().optional(),
});

const scale = z.object({
  clinics: z.number().int().positive(),
  rows: z.record(z.string(), z.number()),
  seeding: z
    .object({
      clinicsBefore: z.number().int().nonnegative(),
      clinicsAfter: z.number().int().positive(),
      strategy: z.string(),
      seconds: z.number().nonnegative(),
      rows: z.record(z.string(), z.number()),
      phases: z.array(z.object({ name: z.string(), seconds: z.number() })),
    })
    .nullable(),
  prewarm: z
    .object({ sharedBytes: z.number().nonnegative(), osCacheBytes: z.number().nonnegative() })
    .nullable()
    .optional(),
  operations: z.array(operation),
  storage: z.object({
    databaseBytes: z.number().nonnegative(),
    seedEstimateBytes: z.number().nonnegative(),
    tables: z.array(
      z.object({
        name: z.string(),
        rows: z.number(),
        totalBytes: z.number(),
        indexBytes: z.number(),
      }),
    ),
  }),
  throughput: z
    .object({
      callers: z.number().int().positive(),
      seconds: z.number().positive(),
      operations: z.array(z.string()),
      libraryOpsPerSecond: z.number(),
      rawOpsPerSecond: z.number(),
      ratio: z.number(),
      libraryP50Ms: z.number(),
      libraryP95Ms: z.number(),
      libraryP99Ms: z.number(),
      rawP99Ms: z.number(),
      pass: z.boolean(),
    })
    .nullable(),
  load: z
    .object({
      clinics: z.number().int().positive(),
      seedRate: z.number().positive(),
      passes: z.number().int().positive().optional(),
      mix: z.array(z.object({ operation: z.string(), weight: z.number() })),
      steps: z.array(loadStep),
      highestRateHeld: z.number().nonnegative(),
      highestRateSustained: z.number().nonnegative(),
      rawHighestRateSustained: z.number().nonnegative().optional(),
      sustainedRatio: z.number().nullable().optional(),
    })
    .nullable(),
});

/** The version-1 report as a zod schema: `compare` and the tests check files with it. */
export const benchReportSchema = z.object({
  schemaVersion: z.literal(1),
  tool: z.object({ name: z.string(), version: z.string() }),
  command: z.string(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  durationSeconds: z.number().nonnegative(),
  quick: z.boolean(),
  environment: z.object({
    cpuModel: z.string(),
    cores: z.number().int().positive(),
    memoryBytes: z.number().positive(),
    os: z.string(),
    node: z.string(),
    postgres: z.object({
      version: z.string(),
      source: z.string(),
      settings: z.record(z.string(), z.string()),
    }),
  }),
  generator: z.object({
    seed: z.string(),
    ownersPerClinic: z.number(),
    ownerSpread: z.number(),
    petsPerOwner: z.number(),
    staffMin: z.number(),
    staffMax: z.number(),
    subscriptionsPerYear: z.number(),
    subscriptionYears: z.number(),
    anchorDate: z.string(),
  }),
  settings: z.object({
    latencyTimeMs: z.number(),
    warmupMs: z.number(),
    overheadSamples: z.number(),
    throughputSeconds: z.number(),
    loadStepSeconds: z.number(),
    leanSamples: z.number().optional(),
    repeat: z.number().int().positive().optional(),
  }),
  scales: z.array(scale).min(1),
  flatCost: z.array(
    z.object({
      operation: z.string(),
      fromClinics: z.number(),
      toClinics: z.number(),
      fromP95Ms: z.number(),
      toP95Ms: z.number(),
      ratio: z.number(),
      pass: z.boolean(),
    }),
  ),
  checks: z.array(
    z.object({
      kind: z.string(),
      operation: z.string().nullable(),
      clinics: z.number().nullable(),
      actual: z.number(),
      limit: z.number(),
      unit: z.string(),
      pass: z.boolean(),
      message: z.string(),
    }),
  ),
  pass: z.boolean(),
});

/** Parses report JSON text, throwing an Error that names the file and the first bad field. */
export function parseReport(text: string, source: string): BenchReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not JSON: ${(error as Error).message}`);
  }
  const result = benchReportSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(
      `${source} is not a version 1 harness report (${issue?.path.join('.') || 'root'}: ${issue?.message})`,
    );
  }
  return result.data;
}
