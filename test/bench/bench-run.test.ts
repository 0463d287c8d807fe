import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultGeneratorOptions } from '../../bench/generate/options.js';
import { smallerIsBetter } from '../../bench/report/benchmark-action.js';
import { markdownReport } from '../../bench/report/markdown.js';
import type { BenchReport } from '../../bench/report/schema.js';
import { benchReportSchema } from '../../bench/report/validate.js';
import { reportFiles, writeReports } from '../../bench/report/write.js';
import { runBench } from '../../bench/run.js';
import { operationTargets } from '../../bench/targets.js';
import { createTestDatabase } from '../helpers/database.js';

/** What the bench must leave as it found it: names, counts, subscription states. */
async function snapshot(client: pg.Client) {
  const { rows } = await client.query(`select
    (select md5(string_agg(id || clinic_name, ',' order by id)) from clinics) as clinics,
    (select count(*)::int from owners) as owners,
    (select count(*)::int from pets) as pets,
    (select count(*)::int from users) as users,
    (select md5(string_agg(clinic_id || ':' || id || ':' || status, ',' order by clinic_id, id))
       from subscription_history) as subscriptions`);
  return rows[0];
}

describe('vetalyze bench on a small data set', () => {
  let report: BenchReport;
  let repeated: BenchReport;
  let client: pg.Client;
  let before: unknown;

  beforeAll(async () => {
    const database = await createTestDatabase();
    const generator = { ...defaultGeneratorOptions(), ownersPerClinic: 50 };
    const common = {
      databaseUrl: database.url,
      cacheDir: 'unused',
      generator,
      quick: true,
      timeMs: 40,
      warmupMs: 20,
      overheadSamples: 6,
      leanSamples: 6,
      repeat: 1,
      throughputSeconds: 0.4,
      loadStepSeconds: 0,
      loadMultiples: [1],
      targets: operationTargets,
      only: [],
      fresh: false,
      command: 'vetalyze bench (test)',
      toolVersion: 'test',
      log: () => {},
    };
    // Seed first, snapshot, then measure: the measurement must not change the data.
    await runBench({
      ...common,
      scales: [4],
      only: ['clinics.get'],
      overheadSamples: 0,
      throughputSeconds: 0,
    });
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    before = await snapshot(client);
    report = await runBench({ ...common, scales: [4] });
    // Three latency passes, and the open-loop load at every scale from --load-rate.
    repeated = await runBench({
      ...common,
      scales: [4],
      only: ['owners.get', 'owners.create'],
      repeat: 3,
      overheadSamples: 0,
      throughputSeconds: 0,
      loadRate: 40,
      loadStepSeconds: 0.3,
      loadMultiples: [1, 2],
    });
  }, 180_000);
  afterAll(() => client?.end());

  it('writes a report that matches the documented version 1 schema', () => {
    expect(benchReportSchema.safeParse(report).success).toBe(true);
    expect(report.scales.map((scale) => scale.clinics)).toEqual([4]);
  });

  it('loads the data set into memory before measuring, shared buffers within 3/4, and says so', async () => {
    const { rows } = await client.query<{ shared: string }>(
      "select setting::bigint * 8192 as shared from pg_settings where name = 'shared_buffers'",
    );
    const warmed = report.scales[0]?.prewarm;
    expect(warmed?.sharedBytes).toBeGreaterThan(0);
    expect(warmed?.sharedBytes).toBeLessThanOrEqual((Number(rows[0]?.shared) * 3) / 4);
    expect(markdownReport(report)).toContain('loaded into shared buffers (pg_prewarm)');
  });

  it('measures every operation of the targets file, each with its seed figure and budget', () => {
    const operations = report.scales[0]?.operations ?? [];
    expect(operations.map((operation) => operation.id)).toEqual(
      operationTargets.map((target) => target.id),
    );
    for (const operation of operations) {
      expect(operation.samples).toBeGreaterThan(0);
      expect(operation.p95Ms).toBeGreaterThanOrEqual(operation.p50Ms);
      expect(operation.p99Ms).toBeGreaterThanOrEqual(operation.p95Ms);
      expect(operation.budgetP95Ms).toBeGreaterThan(0);
    }
  });

  it('counts one statement per list, search, detail and write call, and none for a cached status', () => {
    const operations = report.scales[0]?.operations ?? [];
    for (const operation of operations) {
      // The harness's own admin connection restores subscription states; its
      // notices reach the cache through the listener and cost a rare reload.
      if (operation.id === 'clinics.statusCached')
        expect(operation.statementsPerCall).toBeLessThan(0.01);
      else expect(operation.statementsPerCall, operation.id).toBe(1);
    }
  });

  it('compares every database operation with raw node-postgres on its own statements', () => {
    for (const operation of report.scales[0]?.operations ?? []) {
      if (operation.id === 'clinics.statusCached') expect(operation.overhead).toBeNull();
      else expect(operation.overhead?.ratioP50, operation.id).toBeGreaterThan(0);
    }
    expect(report.scales[0]?.throughput?.rawOpsPerSecond).toBeGreaterThan(0);
  });

  it('compares every seed operation with its lean reference, noting what the library returns more', () => {
    for (const operation of report.scales[0]?.operations ?? []) {
      if (operation.id === 'clinics.statusCached') {
        expect(operation.lean).toBeNull();
        continue;
      }
      expect(operation.lean?.samples, operation.id).toBe(6);
      expect(operation.lean?.leanP50Ms, operation.id).toBeGreaterThan(0);
      expect(operation.lean?.ratioP50, operation.id).toBeCloseTo(
        (operation.lean?.libraryP50Ms ?? 0) / (operation.lean?.leanP50Ms ?? 1),
        1,
      );
      expect(report.checks).toContainEqual(
        expect.objectContaining({ kind: 'lean-p50', operation: operation.id }),
      );
    }
    const list = report.scales[0]?.operations.find((operation) => operation.id === 'owners.list');
    expect(list?.leanNote).toMatch(/address, notes/);
  });

  it('with --repeat 3 reports each pass, their medians and the p95 spread', () => {
    const operations = repeated.scales[0]?.operations ?? [];
    expect(operations.map((operation) => operation.id)).toEqual(['owners.get', 'owners.create']);
    const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[1];
    for (const operation of operations) {
      const repeats = operation.repeats;
      expect(repeats?.count).toBe(3);
      expect(repeats?.p50Ms).toHaveLength(3);
      expect(repeats?.p95Ms).toHaveLength(3);
      expect(operation.p50Ms).toBe(median(repeats?.p50Ms ?? []));
      expect(operation.p95Ms).toBe(median(repeats?.p95Ms ?? []));
      expect(repeats?.p95MinMs).toBe(Math.min(...(repeats?.p95Ms ?? [])));
      expect(repeats?.p95MaxMs).toBe(Math.max(...(repeats?.p95Ms ?? [])));
      expect(operation.lean?.samples).toBe(18);
    }
    expect(repeated.settings.repeat).toBe(3);
  });

  it('runs the open-loop load through the library and raw node-postgres at the same rates', () => {
    const load = repeated.scales[0]?.load;
    expect(load?.seedRate).toBe(40);
    expect(load?.steps.map((step) => step.targetRate)).toEqual([40, 80]);
    // Long enough for the 100 requests a side whose p99 is judged, though asked for 0.3 s.
    expect(load?.steps.map((step) => step.seconds)).toEqual([2.5, 1.25]);
    // With --repeat 3 each rate runs three times a side; a step holds the medians.
    expect(load?.passes).toBe(3);
    const middle = (values: readonly number[] | undefined) =>
      [...(values ?? [])].sort((a, b) => a - b)[1];
    for (const step of load?.steps ?? []) {
      expect(step.completed).toBeGreaterThan(0);
      expect(step.raw?.completed).toBeGreaterThan(0);
      expect(step.raw?.p99Ms).toBeGreaterThan(0);
      expect(step.p99Each).toHaveLength(3);
      expect(step.raw?.p99Each).toHaveLength(3);
      expect(step.p99Ms).toBe(middle(step.p99Each));
      expect(step.raw?.p99Ms).toBe(middle(step.raw?.p99Each));
      expect(step.ratioP95).toBeCloseTo(step.p95Ms / (step.raw?.p95Ms ?? 1), 5);
    }
    expect(load?.rawHighestRateSustained).toBeGreaterThanOrEqual(0);
    expect(benchReportSchema.safeParse(repeated).success).toBe(true);
  });

  it('leaves the data set as it found it (writes are undone, toggles restored)', async () => {
    expect(await snapshot(client)).toEqual(before);
  });

  it('writes JSON, Markdown, benchmark-action JSON and an SVG chart', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'vz-reports-'));
    await writeReports(report, directory);
    const json = JSON.parse(await readFile(join(directory, reportFiles.json), 'utf8'));
    expect(benchReportSchema.safeParse(json).success).toBe(true);
    const markdown = await readFile(join(directory, reportFiles.markdown), 'utf8');
    expect(markdown).toContain('owner with pets (`owners.get`)');
    expect(markdown).toContain('Lean reference');
    expect(markdown).toMatch(
      /\| `owners\.list` \|( [\d.x]+ \|){6} (yes|\*\*no\*\*) \| called with columns/,
    );
    const entries = JSON.parse(
      await readFile(join(directory, reportFiles.benchmarkAction), 'utf8'),
    );
    expect(entries).toEqual(smallerIsBetter(report));
    for (const entry of entries) {
      expect(typeof entry.name).toBe('string');
      expect(typeof entry.unit).toBe('string');
      expect(Number.isFinite(entry.value)).toBe(true);
    }
    const svg = await readFile(join(directory, reportFiles.chart), 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
  });
});
