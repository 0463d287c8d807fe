import { createVetalyze } from '@vetalyze/db';
import pg from 'pg';
import { createPrng } from '../generate/prng.js';
import { clinicScenarios } from '../scenarios/clinic.js';
import { gatherInputs } from '../scenarios/inputs.js';
import { platformScenarios } from '../scenarios/platform.js';
import { StatementRecorder } from '../scenarios/recorder.js';
import type { Scenario } from '../scenarios/scenario.js';
import { subscriptionScenarios } from '../scenarios/subscriptions.js';
import { openBenchDatabase } from '../server.js';

/** Flags of `vetalyze explain` after parsing. */
export interface ExplainFlags {
  databaseUrl?: string;
  cacheDir: string;
  /** Operation ids to explain; all when absent. */
  only?: string[];
  samples: number;
  seed: string;
}

/**
 * Prints, for each chosen read operation, the statements the library sent for
 * a few drawn inputs and EXPLAIN (ANALYZE, BUFFERS) of each: with the input's
 * values (a custom plan, as an unnamed statement gets) and, for a prepared
 * statement, also the generic plan it may switch to after five executions.
 * Writes are explained inside a rolled-back transaction.
 */
export async function explainCommand(flags: ExplainFlags): Promise<void> {
  const database = await openBenchDatabase({
    databaseUrl: flags.databaseUrl,
    cacheDir: flags.cacheDir,
  });
  const recorder = new StatementRecorder();
  const vz = await createVetalyze({
    connectionString: database.url,
    validateRows: false,
    onQuery: recorder.onQuery,
  });
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  try {
    const pools = await gatherInputs(admin, vz, flags.seed, 200);
    const deps = {
      vz,
      admin,
      pools,
      prng: createPrng(flags.seed, 'explain'),
      runId: `explain${Date.now().toString(36)}`,
    };
    const scenarios: Scenario[] = [
      ...(await platformScenarios(deps)),
      ...(await clinicScenarios(deps)),
      ...(await subscriptionScenarios(deps)),
    ];
    const only = flags.only ?? [];
    for (const scenario of scenarios) {
      if (only.length > 0 && !only.includes(scenario.id)) continue;
      await scenario.prepare?.();
      for (let sample = 0; sample < flags.samples; sample++) {
        const trial = scenario.draw();
        const { statements } = await recorder.capture(() => trial.run());
        await trial.settle();
        for (const statement of statements) {
          process.stdout.write(
            `\n=== ${scenario.id} #${sample + 1}${statement.name ? ` (prepared ${statement.name})` : ' (unnamed)'}\n`,
          );
          process.stdout.write(
            `${statement.sql.trim()}\n-- values: ${JSON.stringify(statement.values)}\n`,
          );
          const modes = statement.name ? ['force_custom_plan', 'force_generic_plan'] : ['auto'];
          for (const mode of modes) {
            await admin.query('begin');
            try {
              await admin.query(`set local plan_cache_mode = ${mode}`);
              const plan = await admin.query<{ 'QUERY PLAN': string }>({
                text: `explain (analyze, buffers) ${statement.sql}`,
                values: [...statement.values],
                ...(mode === 'force_generic_plan' ? { name: `vz_explain_${Date.now()}` } : {}),
              });
              process.stdout.write(
                `-- plan (${mode}):\n${plan.rows.map((row) => row['QUERY PLAN']).join('\n')}\n`,
              );
            } finally {
              await admin.query('rollback');
            }
          }
        }
      }
      await scenario.finish?.();
    }
  } finally {
    await Promise.all([admin.end(), vz.close()]);
    await database.close();
  }
}
