import { migrate } from '@vetalyze/db';
import type pg from 'pg';
import {
  type ClinicPlan,
  copyColumns,
  type IdCursor,
  ownersRows,
  petsRows,
  planClinic,
} from '../generate/clinic.js';
import { DayStrings } from '../generate/dates.js';
import { checkGeneratorOptions, type GeneratorOptions } from '../generate/options.js';
import { copyInto } from './copy.js';
import { connect, ensureAdmin, identitySequence, nextValue } from './ids.js';
import {
  bulkLoadObjects,
  bulkTables,
  createBuildQueue,
  dropObjects,
  recreateObjects,
} from './indexes.js';
import {
  type DroppedIndex,
  ensureMetaTable,
  optionDifferences,
  readMeta,
  writeMeta,
} from './meta.js';

/** How a load treats the big tables' secondary indexes. */
export type IndexStrategy = 'auto' | 'drop' | 'keep';

/** What {@link seed} needs. */
export interface SeedOptions {
  readonly databaseUrl: string;
  /** Clinics the database must hold afterwards; existing ones are kept, never regenerated. */
  readonly clinics: number;
  readonly generator: GeneratorOptions;
  /**
   * `drop`: drop the owners' and pets' secondary indexes, load, rebuild them;
   * `keep`: load with them in place; `auto`: drop when the load at least
   * doubles the data (measured crossover, docs/harness.md). @default 'auto'
   */
  readonly indexStrategy?: IndexStrategy;
  /** Called as owner and pet rows stream in (rows done, rows expected). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called with one line per phase. */
  readonly log?: (line: string) => void;
}

/** One timed step of a load. */
export interface SeedPhase {
  readonly name: string;
  readonly ms: number;
}

/** What a load did. */
export interface SeedResult {
  readonly clinicsBefore: number;
  readonly clinicsAfter: number;
  /** Rows added per table. */
  readonly rows: Readonly<Record<string, number>>;
  readonly strategy: 'drop-indexes' | 'keep-indexes' | 'nothing-to-do';
  readonly phases: readonly SeedPhase[];
  readonly totalMs: number;
  /** The options the data set was generated with (the anchor date may be the recorded one). */
  readonly generator: GeneratorOptions;
}

/** Thrown when a database cannot be grown with the asked-for options. */
export class SeedMismatchError extends Error {}

/** Load `added` clinics onto `existing` with indexes dropped? */
export function shouldDropIndexes(
  strategy: IndexStrategy,
  existing: number,
  added: number,
): boolean {
  if (strategy !== 'auto') return strategy === 'drop';
  return added >= existing;
}

const smallTables = ['users', 'clinics', 'clinic_staff', 'subscription_history'] as const;

/**
 * Migrates the database, then grows it to `clinics` clinics with generated
 * data streamed through COPY: clinic k always gets the same data, so 300 -> 1000
 * adds clinics 301..1000 and nothing else. Ids come from the identity
 * sequences, which are advanced past the loaded rows. Ends with VACUUM ANALYZE,
 * so the planner has statistics and autovacuum has nothing left to do during a
 * benchmark.
 */
export async function seed(options: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const phases: SeedPhase[] = [];
  const log = options.log ?? (() => {});
  let mark = performance.now();
  const phase = (name: string) => {
    const ms = performance.now() - mark;
    phases.push({ name, ms });
    log(`${name}: ${(ms / 1000).toFixed(2)} s`);
    mark = performance.now();
  };
  checkGeneratorOptions(options.generator);

  await migrate(options.databaseUrl);
  const main = await connect(options.databaseUrl);
  const extra: pg.Client[] = [];
  try {
    const { generator, existing } = await inspectDataSet(main, options.generator, log);
    phase('migrate and inspect');
    if (options.clinics <= existing) {
      return {
        clinicsBefore: existing,
        clinicsAfter: existing,
        rows: {},
        strategy: 'nothing-to-do',
        phases,
        totalMs: performance.now() - started,
        generator,
      };
    }

    const { rows: roleRows } = await main.query<{ superuser: boolean }>(
      'select rolsuper as superuser from pg_roles where rolname = current_user',
    );
    // A superuser can switch foreign-key triggers off for the load (the generator's
    // keys are consistent by construction, and test/bench checks it), which also
    // lets owners and pets stream in parallel on their own connections.
    const parallel = roleRows[0]?.superuser === true;
    const adminId = await ensureAdmin(main);
    const sequences = {
      user: await identitySequence(main, 'users'),
      clinic: await identitySequence(main, 'clinics'),
      subscription: await identitySequence(main, 'subscription_history'),
      owner: await identitySequence(main, 'owners'),
      pet: await identitySequence(main, 'pets'),
    };
    const ids: IdCursor = {
      user: await nextValue(main, 'users', sequences.user),
      clinic: await nextValue(main, 'clinics', sequences.clinic),
      subscription: await nextValue(main, 'subscription_history', sequences.subscription),
      group: await nextValue(main, null, 'subscription_group_seq'),
      owner: await nextValue(main, 'owners', sequences.owner),
    };
    let nextPetId = await nextValue(main, 'pets', sequences.pet);
    const days = new DayStrings();
    const plans: ClinicPlan[] = [];
    for (let ordinal = existing + 1; ordinal <= options.clinics; ordinal++)
      plans.push(planClinic(generator, ordinal, ids, adminId, days));
    const ownerTotal = plans.reduce((sum, plan) => sum + plan.ownerCount, 0);
    const expectedRows = Math.round(ownerTotal * (1 + generator.petsPerOwner));

    const added = options.clinics - existing;
    const drop = shouldDropIndexes(options.indexStrategy ?? 'auto', existing, added);
    // Into empty tables the load can also TRUNCATE first and COPY FREEZE: rows land
    // already frozen and visible to all, so no later pass rewrites every page.
    const fresh = drop && existing === 0;
    let dropped: DroppedIndex[] = [];
    if (drop) {
      dropped = await bulkLoadObjects(main, bulkTables);
      // Record first: a load that dies leaves the definitions to restore.
      await writeMeta(main, { options: generator, clinics: existing, droppedIndexes: dropped });
      await dropObjects(main, dropped);
    }
    phase(
      drop
        ? `plan ${added} clinics, drop ${dropped.length} keys and indexes`
        : `plan ${added} clinics`,
    );

    const ownersClient = parallel ? await connect(options.databaseUrl) : main;
    const petsClient = parallel ? await connect(options.databaseUrl) : main;
    if (parallel) extra.push(ownersClient, petsClient);
    const loaders = parallel ? [main, ownersClient, petsClient] : [main];
    for (const client of loaders) {
      if (parallel) {
        await client.query('set session_replication_role = replica');
        // Two connections build at once on a small machine: parallel workers only queue.
        await client.query('set max_parallel_maintenance_workers = 0');
      }
      await client.query('begin');
    }
    const rows: Record<string, number> = {};
    let streamed = 0;
    const progress = (count: number) => {
      streamed += count;
      options.onProgress?.(streamed, expectedRows);
    };
    const petCounts = new Map<number, number>();
    const builds = createBuildQueue(bulkTables.length);
    const firstNewClinic = (plans[0] as ClinicPlan).clinicId;
    let committedEarly = false;
    // In parallel, each big table commits as soon as its rows are in, so its keys and
    // indexes can be built on whichever connection is free (the longest first).
    const loadBig = async (
      client: pg.ClientBase,
      table: 'owners' | 'pets',
      chunks: Iterable<Uint8Array>,
    ) => {
      const begun = performance.now();
      if (fresh) await client.query(`truncate ${table}`);
      rows[table] = await copyInto(client, table, copyColumns[table], chunks, {
        freeze: fresh,
        format: 'binary',
      });
      log(
        `  ${table}: ${rows[table]} rows copied in ${((performance.now() - begun) / 1000).toFixed(2)} s`,
      );
      if (parallel) {
        await client.query('commit');
        committedEarly = true;
      }
      builds.publish(dropped.filter((object) => object.table === table));
      if (parallel) await builds.work(client);
    };
    try {
      for (const table of smallTables) {
        rows[table] = await copyInto(
          main,
          table,
          copyColumns[table],
          plans.map((plan) => plan.lines[table]),
        );
      }
      const loadOwners = () =>
        loadBig(
          ownersClient,
          'owners',
          (function* () {
            for (const plan of plans) {
              const bytes = ownersRows(generator, plan);
              progress(plan.ownerCount);
              yield bytes;
            }
          })(),
        );
      const loadPets = () =>
        loadBig(
          petsClient,
          'pets',
          (function* () {
            for (const plan of plans) {
              const { bytes, count } = petsRows(generator, plan, nextPetId);
              nextPetId += count;
              petCounts.set(plan.clinicId, count);
              progress(count);
              yield bytes;
            }
          })(),
        );
      if (parallel) await Promise.all([loadOwners(), loadPets()]);
      else {
        await loadOwners();
        await loadPets();
        await builds.work(main);
      }
      // Every key's index is built: attaching them is a catalog change each.
      await recreateObjects(
        main,
        dropped.filter((object) => object.kind === 'key'),
      );
      rows.clinic_counters = await copyInto(main, 'clinic_counters', copyColumns.clinic_counters, [
        plans
          .map(
            (plan) =>
              `${plan.clinicId}\t${plan.ownerCount}\t${petCounts.get(plan.clinicId) ?? 0}\n`,
          )
          .join(''),
      ]);
      const advance = async (sequence: string, last: number) => {
        if (last > 0) await main.query('select setval($1, $2, true)', [sequence, last]);
      };
      await advance(sequences.user, ids.user - 1);
      await advance(sequences.clinic, ids.clinic - 1);
      await advance(sequences.subscription, ids.subscription - 1);
      await advance('subscription_group_seq', ids.group - 1);
      await advance(sequences.owner, ids.owner - 1);
      await advance(sequences.pet, nextPetId - 1);
      await writeMeta(main, {
        options: generator,
        clinics: options.clinics,
        droppedIndexes: dropped.filter((object) => object.kind === 'foreign-key'),
      });
      await main.query('commit');
    } catch (error) {
      for (const client of loaders) await client.query('rollback').catch(() => {});
      if (committedEarly) {
        // The big tables committed before the failure: take their new rows out again.
        await main.query('delete from pets where clinic_id >= $1', [firstNewClinic]);
        await main.query('delete from owners where clinic_id >= $1', [firstNewClinic]);
      }
      if (dropped.length > 0) {
        await recreateObjects(main, dropped);
        await writeMeta(main, { options: generator, clinics: existing, droppedIndexes: [] });
      }
      throw error;
    }
    for (const client of loaders) await client.query('reset session_replication_role');
    phase(
      `copy ${Object.values(rows).reduce((a, b) => a + b, 0)} rows${drop ? ', build keys and indexes' : ''}`,
    );

    // Vacuum first: rows copied into a table that held rows are not frozen,
    // and their first reader sets every hint bit and dirties every page. That
    // was the foreign-key check, alone on one connection (30.7 s at 1000 ->
    // 10,000 clinics; re-adding the key on the vacuumed 10,000 took 3.2 s with
    // the tables cached, 10.5 s without); the vacuum runs the big tables on
    // their own connections.
    await vacuumLoaded(main, parallel ? { owners: ownersClient, pets: petsClient } : null);
    phase('vacuum analyze');
    if (dropped.length > 0) {
      // Foreign keys last: adding one checks every row in one join.
      await recreateObjects(main, dropped);
      await writeMeta(main, { options: generator, clinics: options.clinics, droppedIndexes: [] });
      phase('check foreign keys');
    }
    if (parallel) {
      // The load and its vacuum leave every new page dirty (gigabytes at 10,000
      // clinics); written now, they are not flushed by a checkpoint in the middle
      // of the measurements. A superuser may checkpoint, as it may load in parallel.
      await main.query('checkpoint');
      phase('checkpoint');
    }

    return {
      clinicsBefore: existing,
      clinicsAfter: options.clinics,
      rows,
      strategy: drop ? 'drop-indexes' : 'keep-indexes',
      phases,
      totalMs: performance.now() - started,
      generator,
    };
  } finally {
    await Promise.all([main, ...extra].map((client) => client.end().catch(() => {})));
  }
}

/**
 * Reads what the database already holds and refuses what cannot be grown:
 * clinics the harness did not generate, other generator options, a count that
 * disagrees with the record. Restores indexes an interrupted load left dropped.
 * Returns the options to grow with (the existing calendar) and the clinic count.
 */
async function inspectDataSet(
  main: pg.ClientBase,
  requested: GeneratorOptions,
  log: (line: string) => void,
): Promise<{ generator: GeneratorOptions; existing: number }> {
  await ensureMetaTable(main);
  let meta = await readMeta(main);
  const { rows: countRows } = await main.query<{ n: number }>(
    'select count(*)::int as n from clinics',
  );
  const present = countRows[0]?.n ?? 0;
  if (!meta && present > 0)
    throw new SeedMismatchError(
      `the database holds ${present} clinics the harness did not generate; seed an empty database`,
    );
  if (!meta) return { generator: requested, existing: 0 };
  const differences = optionDifferences(meta.options, requested);
  if (differences.length > 0)
    throw new SeedMismatchError(
      `the data set was generated with other options (${differences.join('; ')})`,
    );
  if (meta.droppedIndexes.length > 0) {
    log(`restoring ${meta.droppedIndexes.length} indexes a previous load left dropped`);
    await recreateObjects(main, meta.droppedIndexes);
    meta = { ...meta, droppedIndexes: [] };
    await writeMeta(main, meta);
  }
  if (meta.clinics !== present)
    throw new SeedMismatchError(
      `the data set records ${meta.clinics} generated clinics but the database holds ${present}; seed a fresh database`,
    );
  // Growth keeps the calendar the existing clinics were generated on.
  return {
    generator: { ...requested, anchorDate: meta.options.anchorDate },
    existing: meta.clinics,
  };
}

/** VACUUM (ANALYZE) of every loaded table; the big ones on their own connections when loaded in parallel. */
async function vacuumLoaded(
  main: pg.ClientBase,
  parallel: { owners: pg.ClientBase; pets: pg.ClientBase } | null,
): Promise<void> {
  const vacuum = async (client: pg.ClientBase, tables: readonly string[]) => {
    for (const table of tables) await client.query(`vacuum (analyze) ${table}`);
  };
  if (parallel)
    await Promise.all([
      vacuum(parallel.owners, ['owners']),
      vacuum(parallel.pets, ['pets']),
      vacuum(main, [...smallTables, 'clinic_counters']),
    ]);
  else await vacuum(main, [...smallTables, 'clinic_counters', 'owners', 'pets']);
}
