import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { type BenchFlags, benchCommand } from './commands/bench.js';
import { citusCheckCommand } from './commands/citus-check.js';
import { compareCommand } from './commands/compare.js';
import { type ExplainFlags, explainCommand } from './commands/explain.js';
import { migrateCommand } from './commands/migrate.js';
import {
  addGeneratorOptions,
  generatorOptionsFrom,
  nonNegativeNumber,
  positiveInteger,
  positiveNumber,
  scaleList,
} from './commands/options.js';
import {
  checkDatabaseUrl,
  checkDiskFor,
  checkKindList,
  databaseUrlFromEnv,
  ensureWritableFolder,
  operationIdList,
  operationIds,
  repeatCount,
  targetsWithBudgets,
  UsageError,
} from './commands/preflight.js';
import { reportCommand } from './commands/report.js';
import { type SeedFlags, seedCommand } from './commands/seed.js';
import { statsCommand } from './commands/stats.js';
import { checkKinds } from './report/checks.js';

const { version } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string };

const databaseUrlOption = (what: string) =>
  new Option(
    '--database-url <url>',
    `PostgreSQL URL (default: DATABASE_URL or PG* variables, else ${what})`,
  ).default(databaseUrlFromEnv(process.env));

const cacheDirOption = () =>
  new Option(
    '--cache-dir <dir>',
    'embedded PostgreSQL data folder, used when --database-url is not given',
  ).default('.bench-cache/pg18');

/** The `vetalyze` command line, made anew for each parse (commander keeps parsed values). */
export function createProgram(): Command {
  const program = new Command('vetalyze')
    .description('The @vetalyze/db capacity harness: seed realistic data, benchmark, compare.')
    .version(version)
    .showHelpAfterError('(vetalyze <command> --help lists every option and its default)')
    // Commander's own errors (unknown option, bad value) reach main() as CommanderError.
    .exitOverride();

  program
    .command('migrate')
    .description('apply the library migrations (sql/) to a database')
    .addOption(databaseUrlOption('required').makeOptionMandatory())
    .option(
      '--citus',
      'on a Citus coordinator: also distribute the schema by clinic (docs/scaling-out.md)',
    )
    .action(async (flags: { databaseUrl: string; citus?: boolean }) => {
      await checkDatabaseUrl(flags.databaseUrl);
      await migrateCommand(flags.databaseUrl, flags.citus === true);
    });

  program
    .command('citus-check')
    .description(
      'on a Citus-migrated database: call every clinic-scope method and print the task count of each statement; exit 1 if one needs more than one task',
    )
    .addOption(databaseUrlOption('required').makeOptionMandatory())
    .action(async (flags: { databaseUrl: string }) => {
      await checkDatabaseUrl(flags.databaseUrl);
      process.exitCode = await citusCheckCommand(flags.databaseUrl);
    });

  program
    .command('stats')
    .description(
      "the library's statements from pg_stat_statements, summed by operation, most total time first",
    )
    .addOption(databaseUrlOption('required').makeOptionMandatory())
    .option('--json', 'print JSON instead of a table')
    .action(async (flags: { databaseUrl: string; json?: boolean }) => {
      await checkDatabaseUrl(flags.databaseUrl);
      await statsCommand(flags);
    });

  addGeneratorOptions(
    program
      .command('seed')
      .description('migrate, then grow the data set to --clinics clinics through COPY')
      .requiredOption('--clinics <n>', 'clinics the database must hold', positiveInteger)
      .addOption(databaseUrlOption('the embedded server in --cache-dir'))
      .addOption(cacheDirOption())
      .addOption(
        new Option(
          '--index-strategy <strategy>',
          'drop and rebuild the big indexes around the load',
        )
          .choices(['auto', 'drop', 'keep'])
          .default('auto'),
      ),
  ).action(async (flags: SeedFlags) => {
    process.stderr.write(
      `${await preflight({ databaseUrl: flags.databaseUrl, cacheDir: flags.cacheDir, clinics: flags.clinics, flags })}\n`,
    );
    await seedCommand(flags);
  });

  addGeneratorOptions(
    program
      .command('bench')
      .description(
        'seed each scale (growing the data set) and measure every operation through the public API',
      )
      .addOption(databaseUrlOption('an embedded PostgreSQL 18 in --cache-dir'))
      .addOption(cacheDirOption())
      .option('--scales <list>', 'clinic counts, ascending', scaleList, [50, 100, 300, 500, 1000])
      .option('--out <dir>', 'where the reports go (a writable folder)', 'reports')
      .option('--check', 'exit 1 when any operation misses its budget')
      .option(
        '--budgets <file>',
        'JSON file of p95 budgets in ms by operation id, e.g. {"p95Ms": {"owners.get": 0.5}} (default: bench/targets.ts)',
      )
      .option(
        '--check-kinds <kinds>',
        `only enforce these check kinds, comma-separated: ${checkKinds.join(', ')} (default: all)`,
        checkKindList,
      )
      .option('--quick', 'shorter measurements (CI smoke runs)')
      .option('--fresh', 'start the embedded data set over (measures seeding from empty)')
      .option(
        '--time <ms>',
        'measuring time per operation (default: 1000, 400 with --quick)',
        positiveInteger,
      )
      .option(
        '--overhead-samples <n>',
        'library/raw pairs per operation, 0 skips (default: 500, 80 with --quick)',
        nonNegativeNumber,
      )
      .option(
        '--lean-samples <n>',
        'library/lean-reference pairs per operation and repeat, 0 skips (default: 300, 60 with --quick)',
        nonNegativeNumber,
      )
      .option(
        '--repeat <n>',
        'latency passes per scale after seeding once, and passes per open-loop rate; reports the medians and the p95 spread (default: 3, 1 with --quick)',
        repeatCount,
      )
      .option(
        '--throughput-seconds <s>',
        'seconds per side of the throughput run, 0 skips (default: 20, 6 with --quick)',
        nonNegativeNumber,
      )
      .option(
        '--load-step-seconds <s>',
        'seconds per open-loop load step, 0 skips (default: 4, 2 with --quick)',
        nonNegativeNumber,
      )
      .option(
        '--load-rate <req/s>',
        "run the open-loop load at every scale from this rate (default: the seed's rate, at 300, 500 and 1000 clinics only)",
        positiveNumber,
      )
      .option(
        '--only <ids>',
        'comma-separated operation ids to measure (default: all; listed below)',
        operationIdList,
      )
      .addHelpText('after', `\nOperation ids: ${operationIds.join(', ')}`),
  ).action(async (flags: BenchFlags) => {
    await ensureWritableFolder(flags.out);
    await targetsWithBudgets(flags.budgets);
    const clinics = flags.scales.at(-1) ?? 0;
    process.stderr.write(
      `${await preflight({ databaseUrl: flags.databaseUrl, cacheDir: flags.cacheDir, clinics, flags })}\n`,
    );
    await benchCommand(flags);
  });

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
    .description(
      'render a report.json again as the terminal table, Markdown, benchmark JSON and SVG',
    )
    .argument('<json>', 'a report.json written by vetalyze bench')
    .option('--out <dir>', 'where the rendered files go (a writable folder)', 'reports')
    .action(async (json: string, flags: { out: string }) => {
      await ensureWritableFolder(flags.out);
      await reportCommand(json, flags.out);
    });

  program
    .command('explain')
    .description('print the statements of operations and EXPLAIN (ANALYZE, BUFFERS) of each')
    .addOption(databaseUrlOption('the embedded server in --cache-dir'))
    .addOption(cacheDirOption())
    .option(
      '--only <ids>',
      'comma-separated operation ids (default: all; listed below)',
      operationIdList,
    )
    .option('--samples <n>', 'inputs per operation', positiveInteger, 1)
    .option('--seed <text>', 'seed of the input draws', 'vetalyze')
    .addHelpText('after', `\nOperation ids: ${operationIds.join(', ')}`)
    .action(async (flags: ExplainFlags) => {
      if (flags.databaseUrl) await checkDatabaseUrl(flags.databaseUrl);
      await explainCommand(flags);
    });
  return program;
}

/**
 * What every seeding command checks before it starts: the database answers
 * (for a URL) and the largest data set fits on the disk (for the embedded
 * server). Returns the disk estimate line the run prints.
 */
async function preflight(options: {
  databaseUrl: string | undefined;
  cacheDir: string;
  clinics: number;
  flags: Record<string, unknown>;
}): Promise<string> {
  if (options.databaseUrl) await checkDatabaseUrl(options.databaseUrl);
  return checkDiskFor({
    clinics: options.clinics,
    ownersPerClinic: generatorOptionsFrom(options.flags).ownersPerClinic,
    cacheDir: options.databaseUrl ? undefined : options.cacheDir,
  });
}

/**
 * Runs the command line; resolves with the exit status: 0 ok, 1 failed or a
 * budget missed, 2 an input refused before anything ran.
 */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await createProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    // Commander printed its message already; help and --version end with exit code 0.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    process.stderr.write(`vetalyze: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}
