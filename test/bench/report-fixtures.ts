import { defaultGeneratorOptions } from '../../bench/generate/options.js';
import type { BenchReport, OperationReport, ScaleReport } from '../../bench/report/schema.js';

/** A plausible operation line; override what a test is about. */
export function operation(overrides: Partial<OperationReport> = {}): OperationReport {
  return {
    id: 'owners.get',
    label: 'owner with pets',
    scope: 'clinic',
    kind: 'read',
    samples: 1000,
    p50Ms: 0.2,
    p95Ms: 0.3,
    p99Ms: 0.4,
    meanMs: 0.22,
    opsPerSecond: 4500,
    statementsPerCall: 1,
    seedFigureMs: { low: 17.5, high: 30, source: 'interpolated' },
    seedFigureText: null,
    headroom: 58,
    budgetP95Ms: 0.5,
    floorMs: 0.22,
    pass: true,
    overhead: {
      samples: 200,
      libraryP50Ms: 0.2,
      libraryP95Ms: 0.3,
      rawP50Ms: 0.19,
      rawP95Ms: 0.28,
      ratioP50: 1.05,
      ratioP95: 1.07,
      pass: true,
    },
    byInput: [],
    ...overrides,
  };
}

/** A scale with the given operations. */
export function scale(clinics: number, operations: OperationReport[]): ScaleReport {
  return {
    clinics,
    rows: { owners: clinics * 1500 },
    seeding: null,
    operations,
    storage: {
      databaseBytes: clinics * 700_000,
      seedEstimateBytes: clinics * 3_300_000,
      tables: [],
    },
    throughput: null,
    load: null,
  };
}

/** A whole report around the given scales. */
export function report(scales: ScaleReport[]): BenchReport {
  return {
    schemaVersion: 1,
    tool: { name: '@vetalyze/db harness', version: '0.1.0' },
    command: 'vetalyze bench',
    startedAt: '2026-11-29T00:00:00.000Z',
    finishedAt: '2026-11-29T00:05:00.000Z',
    durationSeconds: 300,
    quick: false,
    environment: {
      cpuModel: 'AMD EPYC',
      cores: 2,
      memoryBytes: 24e9,
      os: 'linux',
      node: 'v24.0.0',
      postgres: { version: '18.4', source: 'embedded (same machine)', settings: { fsync: 'off' } },
    },
    generator: { ...defaultGeneratorOptions(), anchorDate: '2026-11-29' },
    settings: {
      latencyTimeMs: 1000,
      warmupMs: 300,
      overheadSamples: 200,
      throughputSeconds: 20,
      loadStepSeconds: 4,
    },
    scales,
    flatCost: [],
    checks: [],
    pass: true,
  };
}
