import type { LoadResult } from '../measure/load.js';
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
} from './format.js';
import type { BenchReport, OperationReport } from './schema.js';

const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;

/** The report as Markdown: environment, one table per scale, load, storage, flat cost, checks. */
export function markdownReport(report: BenchReport): string {
  const env = report.environment;
  const lines: string[] = [];
  lines.push(`# Capacity report`, '');
  lines.push(
    `Measured ${report.startedAt} with \`${report.command}\` (${report.durationSeconds} s${report.quick ? ', quick' : ''}).`,
    '',
  );
  lines.push(
    `Machine: ${env.cpuModel}, ${env.cores} cores, ${bytes(env.memoryBytes)} memory, ${env.os}; Node.js ${env.node}; PostgreSQL ${env.postgres.version} (${env.postgres.source}).`,
    '',
    `Server settings: ${Object.entries(env.postgres.settings)
      .map(([name, value]) => `${name}=${value}`)
      .join(', ')}.`,
    '',
    `Data: ${report.generator.ownersPerClinic} owners per clinic, ${report.generator.petsPerOwner} pets per owner, ${report.generator.staffMin}-${report.generator.staffMax} staff, ${report.generator.subscriptionsPerYear} subscriptions per clinic per year, seed \`${report.generator.seed}\`.`,
    '',
  );
  for (const scale of report.scales) {
    lines.push(`## ${scale.clinics} clinics`, '');
    lines.push(
      row([
        'operation',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'ops/s',
        'statements',
        'seed ms',
        'headroom',
        'budget ms',
        'ok',
        'vs raw p50',
        'vs raw p95',
      ]),
      row([
        '---',
        '---:',
        '---:',
        '---:',
        '---:',
        '---:',
        '---:',
        '---:',
        '---:',
        ':-:',
        '---:',
        '---:',
      ]),
    );
    for (const operation of scale.operations)
      lines.push(
        row([`${operation.label} (\`${operation.id}\`)`, ...operationCells(operation, '**no**')]),
      );
    lines.push('');
    for (const operation of scale.operations)
      if (operation.byInput.length > 1)
        lines.push(
          `- \`${operation.id}\` by input: ${operation.byInput
            .map((entry) => `${entry.tag} p50 ${ms(entry.p50Ms)} / p95 ${ms(entry.p95Ms)} ms`)
            .join('; ')}`,
        );
    if (scale.operations.some((operation) => operation.byInput.length > 1)) lines.push('');
    if (scale.prewarm !== undefined)
      lines.push(
        scale.prewarm === null
          ? 'Caches: no pg_prewarm on the server; the first latency pass warmed them.'
          : `Caches: before measuring, ${bytes(scale.prewarm.sharedBytes)} of indexes and tables loaded into shared buffers (pg_prewarm) and ${bytes(scale.prewarm.osCacheBytes)} more read for the OS cache, as a server that has served traffic holds its working set.`,
        '',
      );
    lines.push(...leanSection(scale.operations), ...repeatSection(scale.operations));
    if (scale.throughput) {
      const t = scale.throughput;
      lines.push(
        `Throughput, ${t.callers} concurrent callers, mixed clinic-scope reads (${t.operations.join(', ')}), ${t.seconds} s a side: library ${t.libraryOpsPerSecond.toFixed(0)} ops/s, raw node-postgres ${t.rawOpsPerSecond.toFixed(0)} ops/s (${ratio(t.ratio)}); library p50 ${ms(t.libraryP50Ms)} ms, p99 ${ms(t.libraryP99Ms)} ms.`,
        '',
      );
    }
    if (scale.load) lines.push(...loadSection(scale.load));
    lines.push(
      `Storage: database ${bytes(scale.storage.databaseBytes)}; the seed estimates ${bytes(scale.storage.seedEstimateBytes)} with indexes.`,
      '',
      row(['table', 'rows', 'with indexes', 'indexes']),
      row(['---', '---:', '---:', '---:']),
      ...scale.storage.tables
        .filter((table) => table.totalBytes > 100_000)
        .map((table) =>
          row([table.name, String(table.rows), bytes(table.totalBytes), bytes(table.indexBytes)]),
        ),
      '',
    );
    if (scale.seeding)
      lines.push(
        `Seeding ${scale.seeding.clinicsBefore} -> ${scale.seeding.clinicsAfter} clinics: ${scale.seeding.seconds.toFixed(1)} s (${scale.seeding.strategy}; ${scale.seeding.phases.map((phase) => `${phase.name} ${phase.seconds} s`).join('; ')}).`,
        '',
      );
  }
  if (report.flatCost.length > 0) {
    lines.push(
      '## Flat cost (clinic scope)',
      '',
      row(['operation', 'p95 from', 'p95 to', 'ratio', 'ok']),
      row(['---', '---:', '---:', '---:', ':-:']),
    );
    for (const flat of report.flatCost)
      lines.push(
        row([
          `\`${flat.operation}\` (${flat.fromClinics} -> ${flat.toClinics} clinics)`,
          ms(flat.fromP95Ms),
          ms(flat.toP95Ms),
          ratio(flat.ratio),
          flat.pass ? 'yes' : '**no**',
        ]),
      );
    lines.push('');
  }
  const failed = report.checks.filter((check) => !check.pass);
  lines.push(
    '## Checks',
    '',
    `${report.checks.length - failed.length} of ${report.checks.length} passed.`,
    '',
  );
  for (const check of failed) lines.push(`- ${check.message}`);
  return `${lines.join('\n')}\n`;
}

const align = (headers: readonly string[]) =>
  headers.map((header, column) => (column === 0 ? '---' : header === 'ok' ? ':-:' : '---:'));

/** The lean-reference table, with what the library returns beyond the need. */
function leanSection(operations: readonly OperationReport[]): string[] {
  const measured = operations.filter((operation) => operation.lean);
  if (measured.length === 0) return [];
  const headers = ['operation', ...leanHeaders, 'the library returns more'];
  return [
    `Lean reference (hand-tuned node-postgres statements returning only what the seed's operation needs, bench/lean/; alternating with the library on the same inputs; budget library/lean p50 <= 1.3x):`,
    '',
    row(headers),
    row([...align(headers.slice(0, -1)), '---']),
    ...measured.map((operation) =>
      row([`\`${operation.id}\``, ...leanCells(operation, '**no**'), operation.leanNote ?? '']),
    ),
    '',
  ];
}

/** Medians and the p95 spread over the latency repeats, when there was more than one. */
function repeatSection(operations: readonly OperationReport[]): string[] {
  const count = operations[0]?.repeats?.count ?? 1;
  if (count <= 1) return [];
  const headers = ['operation', ...repeatHeaders];
  return [
    `Repeats: latency measured ${count} times after seeding once; the tables and checks use the medians.`,
    '',
    row(headers),
    row(align(headers)),
    ...operations.map((operation) => row([`\`${operation.id}\``, ...repeatCells(operation)])),
    '',
  ];
}

/** The open-loop load: both sides' highest rate sustained, then each rate step. */
function loadSection(load: LoadResult): string[] {
  const rawHighest = load.rawHighestRateSustained;
  const headline =
    rawHighest === undefined
      ? `Open-loop load (from ${load.seedRate} req/s, then multiples; library only: a report made before the raw side): highest rate sustained with p99 under 10 ms **${load.highestRateSustained} req/s**.`
      : `Open-loop load (from ${load.seedRate} req/s, then multiples; one schedule sent through the library and as raw node-postgres replays of its statements, alternating which goes first; latency from the scheduled start): highest rate sustained with p99 under 10 ms: library **${load.highestRateSustained} req/s**, raw **${rawHighest} req/s** (${ratio(load.sustainedRatio)}; at least 0.9x). p95 and p99 ratios (at most 1.3x) are judged at the rates raw sustained, with at least 100 requests a side.${(load.passes ?? 1) > 1 ? ` Each rate ran ${load.passes} times, the pair's order alternating; the figures are each side's medians.` : ''}`;
  return [
    headline,
    '',
    row(loadStepHeaders),
    row(align(loadStepHeaders)),
    ...load.steps.map((step) => row(loadStepCells(step, '**no**'))),
    '',
  ];
}
