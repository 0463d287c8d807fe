import {
  bytes,
  leanCells,
  leanHeaders,
  loadStepCells,
  loadStepHeaders,
  ms,
  operationCells,
  ratio,
  repeatCells,
  repeatHeaders,
  table,
} from './format.js';
import type { BenchReport } from './schema.js';

/** The report as plain-text tables for a terminal or a CI log. */
export function terminalReport(report: BenchReport): string {
  const parts: string[] = [];
  const env = report.environment;
  parts.push(
    `${env.cpuModel}, ${env.cores} cores, ${bytes(env.memoryBytes)} memory; Node.js ${env.node}; PostgreSQL ${env.postgres.version} (${env.postgres.source})`,
  );
  for (const scale of report.scales) {
    parts.push(`\n== ${scale.clinics} clinics ==`);
    parts.push(
      table(
        [
          'operation',
          'p50',
          'p95',
          'p99',
          'ops/s',
          'stmts',
          'seed',
          'headroom',
          'budget',
          'ok',
          'raw p50',
          'raw p95',
        ],
        scale.operations.map((operation) => [operation.id, ...operationCells(operation, 'NO')]),
      ),
    );
    for (const operation of scale.operations)
      if (operation.byInput.length > 1)
        parts.push(
          `${operation.id} by input: ${operation.byInput
            .map((entry) => `${entry.tag} ${ms(entry.p50Ms)}/${ms(entry.p95Ms)}`)
            .join(', ')} (p50/p95 ms)`,
        );
    const leaned = scale.operations.filter((operation) => operation.lean);
    if (leaned.length > 0) {
      parts.push('lean reference (library/lean p50 budget 1.3x):');
      parts.push(
        table(
          ['operation', ...leanHeaders],
          leaned.map((operation) => [operation.id, ...leanCells(operation, 'NO')]),
        ),
      );
      for (const operation of leaned)
        if (operation.lean && !operation.lean.pass && operation.leanNote)
          parts.push(`  ${operation.id}: the library ${operation.leanNote}`);
    }
    const repeats = scale.operations[0]?.repeats?.count ?? 1;
    if (repeats > 1) {
      parts.push(`repeats: ${repeats} latency passes; figures above are medians`);
      parts.push(
        table(
          ['operation', ...repeatHeaders],
          scale.operations.map((operation) => [operation.id, ...repeatCells(operation)]),
        ),
      );
    }
    if (scale.throughput) {
      const t = scale.throughput;
      parts.push(
        `throughput (${t.callers} callers, ${t.seconds} s a side): library ${t.libraryOpsPerSecond.toFixed(0)}/s, raw ${t.rawOpsPerSecond.toFixed(0)}/s, ${ratio(t.ratio)}; library p99 ${ms(t.libraryP99Ms)} ms`,
      );
    }
    if (scale.load) {
      const load = scale.load;
      parts.push(
        `load (open loop from ${load.seedRate} req/s): highest rate sustained (p99 < 10 ms) library ${load.highestRateSustained} req/s` +
          (load.rawHighestRateSustained === undefined
            ? ' (a report made before the raw side)'
            : `, raw ${load.rawHighestRateSustained} req/s (${ratio(load.sustainedRatio)})`),
      );
      parts.push(
        table(
          loadStepHeaders,
          load.steps.map((step) => loadStepCells(step, 'NO')),
        ),
      );
    }
    parts.push(
      `storage: ${bytes(scale.storage.databaseBytes)} (seed estimate ${bytes(scale.storage.seedEstimateBytes)} with indexes)`,
    );
    if (scale.seeding)
      parts.push(
        `seeding ${scale.seeding.clinicsBefore} -> ${scale.seeding.clinicsAfter}: ${scale.seeding.seconds.toFixed(1)} s (${scale.seeding.strategy})`,
      );
  }
  if (report.flatCost.length > 0) {
    parts.push('\n== flat cost (clinic scope) ==');
    parts.push(
      table(
        ['operation', 'p95 from', 'p95 to', 'ratio', 'ok'],
        report.flatCost.map((flat) => [
          flat.operation,
          ms(flat.fromP95Ms),
          ms(flat.toP95Ms),
          ratio(flat.ratio),
          flat.pass ? 'yes' : 'NO',
        ]),
      ),
    );
  }
  const failed = report.checks.filter((check) => !check.pass);
  parts.push(
    `\n${report.checks.length - failed.length} of ${report.checks.length} checks passed${failed.length > 0 ? ':' : '.'}`,
  );
  for (const check of failed) parts.push(`  ${check.message}`);
  return `${parts.join('\n')}\n`;
}
