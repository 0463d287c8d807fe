import { randomBytes } from 'node:crypto';
import {
  type ClinicScope,
  createVetalyze,
  type QueryEvent,
  statementLabel,
  type Vetalyze,
} from '@vetalyze/db';
import pg from 'pg';

/**
 * `vetalyze citus-check`: on a database migrated with `migrate({ citus: true })`,
 * calls every public clinic-scope method (clinic A on its own data, then
 * clinic B handed A's ids, as test/clinic/single-shard.test.ts does), keeps
 * each statement the calls sent, and asks Citus how many tasks (shard
 * queries) each one needs: EXPLAIN, summing the `Task Count` of every
 * distributed scan and subplan in the plan. One task means the statement runs
 * on one shard of one node.
 */

/** A statement a clinic-scope call sent, with what EXPLAIN said of it. */
export interface ExplainedStatement {
  /** The call, as 'owners.get'. */
  readonly call: string;
  readonly clinicId: number;
  readonly sql: string;
  /** Sum of the Task Count of the plan's distributed scans; 0 when Citus is not involved. */
  readonly tasks: number;
  /** The distributed scans (main plan and subplans) that count tasks. */
  readonly scans: number;
  /** Why EXPLAIN failed, when it did (counted as a failure). */
  readonly error?: string;
  /** EXPLAIN needed the parameters written as literals (see `explain`). */
  readonly inlined?: boolean;
}

/** What the check found. */
export interface CitusCheckResult {
  readonly citusVersion: string;
  readonly statements: readonly ExplainedStatement[];
  /** The statements that need more than one task, or that EXPLAIN could not plan. */
  readonly multiTask: readonly ExplainedStatement[];
  /** Calls that failed with a database error (not the expected not-found or conflict). */
  readonly failedCalls: readonly string[];
  /** Public clinic-scope methods the check did not call (it must be extended). */
  readonly uncalled: readonly string[];
  /** The platform calls made ({@link runPlatformCalls}), as 'clinics.list'. */
  readonly platformCalls: readonly string[];
  /** Platform calls that failed with a database error, as 'clinics.list: message'. */
  readonly failedPlatformCalls: readonly string[];
  /** Public platform methods the check did not call (it must be extended). */
  readonly uncalledPlatform: readonly string[];
}

/** The database cannot be checked (no Citus, or not Citus-migrated). */
export class CitusCheckError extends Error {}

/**
 * The tasks of each distributed scan in an EXPLAIN (FORMAT JSON) tree: every
 * `Task Count`, and 1 for each INSERT ... SELECT that pulls its rows to the
 * coordinator (it then inserts them through at least one task, which EXPLAIN
 * does not count).
 */
export function taskCounts(plan: unknown): number[] {
  if (Array.isArray(plan)) return plan.flatMap(taskCounts);
  if (typeof plan !== 'object' || plan === null) return [];
  const counts: number[] = [];
  for (const [key, value] of Object.entries(plan)) {
    if (key === 'Task Count' && typeof value === 'number') counts.push(value);
    else if (key === 'INSERT/SELECT method' && value === 'pull to coordinator') counts.push(1);
    else counts.push(...taskCounts(value));
  }
  return counts;
}

/** Refuses a database without Citus, or one that `migrate({ citus: true })` has not distributed. */
export async function ensureCitusMigrated(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ database: string; version: string | null }>(
    `select current_database() as database,
       (select extversion from pg_extension where extname = 'citus') as version`,
  );
  const database = rows[0]?.database ?? '?';
  const version = rows[0]?.version ?? null;
  if (version === null) {
    throw new CitusCheckError(
      `citus extension not installed in database "${database}": citus-check needs a Citus coordinator migrated with 'vetalyze migrate --citus'`,
    );
  }
  const distributed = await client.query<{ n: number }>(
    `select count(*)::int as n from pg_dist_partition where logicalrelid = to_regclass('owners')`,
  );
  if ((distributed.rows[0]?.n ?? 0) === 0) {
    throw new CitusCheckError(
      `database "${database}" has Citus ${version} but its tables are not distributed: run 'vetalyze migrate --citus' first`,
    );
  }
  return version;
}

/** Transaction control and cursor traffic: nothing to EXPLAIN. */
const notExplainable =
  /^\s*(begin|commit|rollback|savepoint|release|set|reset|declare|fetch|close|start|end)\b/i;

/** EXPLAINs one statement (writes inside a rolled-back transaction) and counts its tasks. */
async function explain(
  client: pg.Client,
  sql: string,
  values: readonly unknown[],
): Promise<{ tasks: number; scans: number; inlined: boolean }> {
  const run = async (text: string, parameters: unknown[]) => {
    await client.query('begin');
    try {
      const { rows } = await client.query<{ 'QUERY PLAN': unknown }>(
        `explain (format json) ${text}`,
        parameters,
      );
      return taskCounts(rows[0]?.['QUERY PLAN']);
    } finally {
      await client.query('rollback');
    }
  };
  let counts: number[];
  let inlined = false;
  try {
    counts = await run(sql, [...values]);
  } catch (error) {
    // Citus cannot plan some INSERT ... SELECT with parameters before they are
    // bound ('could not create distributed plan'); executing them binds them.
    // EXPLAIN again with each parameter written as a literal.
    if (values.length === 0) throw error;
    const { rows } = await client.query<{ literals: string[] }>(
      `select array[${values.map((_, index) => `quote_nullable($${index + 1}::text)`).join(', ')}] as literals`,
      [...values],
    );
    const literals = rows[0]?.literals ?? [];
    counts = await run(
      sql.replace(/\$(\d+)\b/g, (_, n: string) => literals[Number(n) - 1] ?? 'null'),
      [],
    );
    inlined = true;
  }
  return { tasks: counts.reduce((sum, count) => sum + count, 0), scans: counts.length, inlined };
}

/**
 * `group` with each method call recorded in `run`: the call's name as
 * `<groupName>.<method>`, the statements it sent (from `events`, which the
 * instance's `onQuery` fills) and, for a database error, the failure. With
 * `keepGoing`, every error but a refusal (conflict, illegal transition) is a
 * failure, and a failed call resolves to undefined instead of throwing, so
 * the script goes on to the next calls.
 */
function recordedGroup<Group extends object>(
  groupName: string,
  group: Group,
  clinicId: number,
  events: QueryEvent[],
  run: ClinicCallsRun,
  keepGoing = false,
): Group {
  const { sent, failedCalls, called } = run;
  return new Proxy(group, {
    get(target, key, receiver) {
      const member = Reflect.get(target, key, receiver);
      if (typeof member !== 'function') return member;
      const call = `${groupName}.${String(key)}`;
      return (...args: unknown[]) => {
        called.add(call);
        const before = events.length;
        const record = () => {
          for (const event of events.slice(before)) sent.push({ call, clinicId, event });
        };
        const result = member.apply(target, args);
        if (result && typeof result[Symbol.asyncIterator] === 'function') {
          return (async function* () {
            try {
              yield* result;
            } finally {
              record();
            }
          })();
        }
        return Promise.resolve(result)
          .catch((error: unknown) => {
            // Not-found and conflict answers are part of the script; a database error is not.
            // keepGoing (the platform calls): only a refusal is expected, any other error fails.
            const code = (error as { code?: unknown }).code;
            const expected = keepGoing
              ? code === 'CONFLICT' || code === 'ILLEGAL_TRANSITION'
              : code !== 'DATABASE';
            if (expected) throw error;
            const last = events.at(-1);
            const label = events.length > before && last ? statementLabel(last.sql) : undefined;
            failedCalls.push(
              `${call}: ${(error as Error).message}${label ? ` (statement ${label})` : ''}`,
            );
            if (!keepGoing) throw error;
            return undefined;
          })
          .finally(record);
      };
    },
  });
}

/**
 * The scope of `clinicId` with each method call recorded in `run`: the call's
 * name, the statements it sent (from `events`, which the instance's `onQuery`
 * fills) and, for a database error, the failure. Also used by
 * test/clinic/single-shard.test.ts, the check CI runs in place of Citus.
 */
export function recordedScope(
  vz: Vetalyze,
  clinicId: number,
  events: QueryEvent[],
  run: ClinicCallsRun,
): ClinicScope {
  const scope = vz.forClinic(clinicId);
  return {
    ...scope,
    owners: recordedGroup('owners', scope.owners, clinicId, events, run),
    pets: recordedGroup('pets', scope.pets, clinicId, events, run),
    staff: recordedGroup('staff', scope.staff, clinicId, events, run),
  };
}

const ignoreErrors = (promise: Promise<unknown>) => promise.catch(() => undefined);

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of stream);
}

/** What {@link runClinicCalls} did. */
export interface ClinicCallsRun {
  /** Each statement a clinic-scope call sent, with the call and its clinic. */
  readonly sent: { call: string; clinicId: number; event: QueryEvent }[];
  /** Calls that failed with a database error, as 'owners.get: message'. */
  readonly failedCalls: string[];
  /** The methods called, as 'owners.get'. */
  readonly called: Set<string>;
}

/** Every public method of a clinic scope, as 'owners.get'. */
export function clinicScopeMethods(scope: ClinicScope): string[] {
  return (['owners', 'pets', 'staff'] as const).flatMap((group) =>
    Object.entries(scope[group])
      .filter(([, member]) => typeof member === 'function')
      .map(([name]) => `${group}.${name}`),
  );
}

/**
 * Creates two clinics with subscriptions through the library and calls
 * every clinic-scope method, as the single-shard test does. `vz` must report
 * each statement into `events` (its onQuery). Runs on plain PostgreSQL too
 * (CI checks there that it calls every public method).
 */
export async function runClinicCalls(vz: Vetalyze, events: QueryEvent[]): Promise<ClinicCallsRun> {
  const run: ClinicCallsRun = { sent: [], failedCalls: [], called: new Set() };
  const tag = randomBytes(4).toString('hex');
  const makeClinic = (name: string) =>
    vz.clinics.create({
      clinicName: `Citus check ${name} ${tag}`,
      countryCode: 'DE',
      ownerPhoneNumber: '+49 170 1234567',
      clinicPhoneNumber: '+49 30 1234567',
      owner: { email: `citus-check-${name}-${tag}@example.com`, fullName: `Owner ${name}` },
    });
  const operator = await vz.users.create({
    email: `citus-check-ops-${tag}@example.com`,
    fullName: 'Citus Check Operator',
    role: 'platform_admin',
  });
  const clinicA = await makeClinic('a');
  const clinicB = await makeClinic('b');
  for (const clinic of [clinicA, clinicB]) {
    await vz.subscriptions.activate({
      clinicId: clinic.id,
      subscriptionTypeId: 1,
      paymentMethodId: 1,
      activatedBy: operator.id,
    });
  }
  const receptionist = await vz.users.create({
    email: `citus-check-rec-${tag}@example.com`,
    fullName: 'Citus Check Receptionist',
    role: 'receptionist',
  });

  const a = recordedScope(vz, clinicA.id, events, run);
  const first = await a.owners.create({
    fullName: 'Alice Onlyina',
    phoneNumber: '+49 151 9998887',
    pets: [
      { name: 'Alphapet', petTypeId: 1, microchip: `1112223334${tag.slice(0, 5).toUpperCase()}` },
      { name: 'Betapet', petTypeId: 2 },
    ],
  });
  const second = await a.owners.create({ fullName: 'Second A' });
  for (let index = 0; index < 3; index++)
    await a.owners.create({ fullName: `Filler ${index}`, pets: [{ name: 'Fill', petTypeId: 1 }] });
  const petId = first.pets[0]?.id ?? 0;
  const microchip = first.pets[0]?.microchip ?? '';
  await a.owners.get(first.id);
  const page = await a.owners.list({ limit: 2 });
  await a.owners.list({ limit: 2, cursor: page.nextCursor ?? undefined, withPetNames: true });
  for (const search of [
    { name: 'Onlyina' },
    { name: 'a', limit: 1 },
    { phone: '0151 9998887', withPetNames: true },
    { code: first.code },
  ]) {
    const found = await a.owners.search(search);
    if (found.nextCursor) await a.owners.search({ ...search, cursor: found.nextCursor });
  }
  await a.owners.update(first.id, { version: 1, fullName: 'Alice Renamed' });
  await ignoreErrors(a.owners.update(first.id, { version: 1, fullName: 'Stale' }));
  await a.pets.add(second.id, [{ name: 'Gammapet', petTypeId: 3 }]);
  await a.pets.get(petId);
  for (const search of [{ name: 'pet', limit: 1 }, { code: 'P-000001' }, { microchip }]) {
    const found = await a.pets.search(search);
    if (found.nextCursor) await a.pets.search({ ...search, cursor: found.nextCursor });
  }
  await a.pets.update(petId, { version: 1, name: 'Alphapet II' });
  await ignoreErrors(a.pets.update(petId, { version: 1, name: 'Stale' }));
  await a.pets.move(petId, { toOwnerId: second.id, version: 2 });
  const doctor = await a.staff.add({
    role: 'doctor',
    email: `citus-check-dr-${tag}@example.com`,
    fullName: 'Dr A',
  });
  await a.staff.add({ role: 'receptionist', userId: receptionist.id });
  await a.staff.list();
  await a.staff.list({ role: 'doctor', isActive: true });
  await a.staff.deactivate(doctor.userId);
  await a.owners.import([
    { fullName: 'Imported One', phoneNumber: '030 1112223', pets: [{ name: 'Imp', petTypeId: 1 }] },
    { fullName: 'Imported Two' },
  ]);
  // The keyed writes (src/idempotency.ts), first call and retry.
  for (let attempt = 0; attempt < 2; attempt++) {
    await a.owners.create(
      { fullName: 'Keyed Owner', pets: [{ name: 'Keyed', petTypeId: 1 }] },
      { idempotencyKey: `citus-check-owner-${tag}` },
    );
    await a.owners.import([{ fullName: 'Keyed Import' }], {
      idempotencyKey: `citus-check-import-${tag}`,
    });
  }
  await drain(a.owners.export());
  await a.owners.remove(second.id);

  // Clinic B handed A's ids: each call fails, through statements of its own.
  const b = recordedScope(vz, clinicB.id, events, run);
  await ignoreErrors(b.owners.get(first.id));
  await ignoreErrors(b.owners.update(first.id, { version: 2, fullName: 'Hacked' }));
  await ignoreErrors(b.owners.remove(first.id));
  await ignoreErrors(b.pets.add(first.id, [{ name: 'Intruder', petTypeId: 1 }]));
  await ignoreErrors(b.pets.get(petId));
  await ignoreErrors(b.pets.update(petId, { version: 2, name: 'Hacked' }));
  await ignoreErrors(b.pets.move(petId, { toOwnerId: first.id, version: 3 }));
  await ignoreErrors(b.staff.add({ role: 'receptionist', userId: doctor.userId }));
  await ignoreErrors(b.staff.deactivate(doctor.userId));
  await b.owners.list();
  await drain(b.owners.export());
  return run;
}

/** The platform (operator-scope) repositories of an instance. */
const platformGroups = ['lookups', 'users', 'clinics', 'subscriptions'] as const;

/** Every public method of the platform repositories, as 'clinics.list'. */
export function platformMethods(vz: Vetalyze): string[] {
  return platformGroups.flatMap((group) =>
    Object.entries(vz[group])
      .filter(([, member]) => typeof member === 'function')
      .map(([name]) => `${group}.${name}`),
  );
}

/**
 * Calls every public platform method (each list filter shape, both update
 * returns, keyed and unkeyed writes, every subscription transition) through
 * the library. `vz` must report each statement into `events` (its onQuery).
 * `run` records the calls and any database error; a failed call
 * does not stop the script, unless a later call needs its result. Runs on plain
 * PostgreSQL too (CI checks there that it calls every public method and that
 * none fails).
 */
export async function runPlatformCalls(
  vz: Vetalyze,
  events: QueryEvent[],
): Promise<ClinicCallsRun> {
  const run: ClinicCallsRun = { sent: [], failedCalls: [], called: new Set() };
  const [lookups, users, clinics, subscriptions] = platformGroups.map((group) =>
    recordedGroup(group, vz[group] as object, 0, events, run, true),
  ) as [Vetalyze['lookups'], Vetalyze['users'], Vetalyze['clinics'], Vetalyze['subscriptions']];
  try {
    const tag = randomBytes(4).toString('hex');
    await lookups.countries();
    await lookups.petTypes();
    await lookups.subscriptionTypes();
    await lookups.paymentMethods();
    const operator = await users.create({
      email: `citus-platform-ops-${tag}@example.com`,
      fullName: 'Citus Platform Operator',
      role: 'platform_admin',
      password: 'correct horse battery',
    });
    await users.get(operator.id);
    await users.setPassword(operator.id, 'correct horse battery staple');
    await users.verifyPassword(operator.email, 'correct horse battery staple');
    const leaver = await users.create({
      email: `citus-platform-leaver-${tag}@example.com`,
      fullName: 'Citus Platform Leaver',
      role: 'receptionist',
    });
    await users.deactivate(leaver.id);
    await users.deactivate(leaver.id);
    const newClinic = (name: string, idempotencyKey?: string) =>
      clinics.create(
        {
          clinicName: `Citus platform ${name} ${tag}`,
          countryCode: 'DE',
          ownerPhoneNumber: '+49 170 1234567',
          clinicPhoneNumber: '+49 30 1234567',
          owner: { email: `citus-platform-${name}-${tag}@example.com`, fullName: `Owner ${name}` },
        },
        idempotencyKey === undefined ? undefined : { idempotencyKey },
      );
    const clinic = await newClinic('a');
    const keyed = await newClinic('k', `citus-platform-clinic-${tag}`);
    await newClinic('k', `citus-platform-clinic-${tag}`);
    await clinics.get(clinic.id);
    const updated = await clinics.update(clinic.id, {
      version: clinic.version,
      clinicName: `Citus platform a2 ${tag}`,
    });
    await clinics.update(
      clinic.id,
      // updated is undefined when the first update failed (reported).
      { version: updated?.version ?? clinic.version, clinicPhoneNumber: '+49 30 7654321' },
      { returning: 'clinic' },
    );
    await clinics.update(clinic.id, { version: 1, clinicName: 'Stale' }).catch(() => undefined);
    await clinics.status(clinic.id);
    const activation = {
      subscriptionTypeId: 1,
      paymentMethodId: 1,
      activatedBy: operator.id,
    };
    await subscriptions.activate({ clinicId: clinic.id, ...activation });
    const activateKey = `citus-platform-activate-${tag}`;
    await subscriptions.activate(
      { clinicId: keyed.id, ...activation },
      { idempotencyKey: activateKey },
    );
    await subscriptions.activate(
      { clinicId: keyed.id, ...activation },
      { idempotencyKey: activateKey },
    );
    await subscriptions.activate({ clinicId: keyed.id, ...activation }).catch(() => undefined);
    await subscriptions.renew({
      clinicId: clinic.id,
      paymentMethodId: 1,
      activatedBy: operator.id,
    });
    const renewKey = `citus-platform-renew-${tag}`;
    for (let attempt = 0; attempt < 2; attempt++)
      await subscriptions.renew(
        { clinicId: keyed.id, subscriptionTypeId: 1, paymentMethodId: 1, activatedBy: operator.id },
        { idempotencyKey: renewKey },
      );
    await subscriptions.suspend(clinic.id, { suspendedBy: operator.id });
    await subscriptions
      .renew({ clinicId: clinic.id, paymentMethodId: 1, activatedBy: operator.id })
      .catch(() => undefined);
    await subscriptions.reactivate(clinic.id, { reactivatedBy: operator.id });
    await subscriptions.history(clinic.id);
    const active = await subscriptions.listActive({ limit: 1 });
    if (active?.nextCursor) await subscriptions.listActive({ limit: 1, cursor: active.nextCursor });
    await subscriptions.listActive({ limit: 1, columns: 'brief' });
    const today = new Date();
    const month = { year: today.getUTCFullYear(), month: today.getUTCMonth() + 1, limit: 1 };
    const monthPage = await subscriptions.list(month);
    if (monthPage?.nextCursor) await subscriptions.list({ ...month, cursor: monthPage.nextCursor });
    await subscriptions.list({ ...month, totals: false });
    const groups = await subscriptions.groups({ limit: 1 });
    if (groups?.nextCursor) await subscriptions.groups({ limit: 1, cursor: groups.nextCursor });
    await subscriptions.groups({ clinicId: clinic.id });
    // Every list shape: every column set; no search, a search term with a trigram
    // and one without; each with and without the status and the country filters.
    for (const columns of ['summary', 'brief', 'contact'] as const)
      for (const search of [undefined, 'Citus platform', 'a'])
        for (const status of [undefined, 'active' as const])
          for (const countryCode of [undefined, 'DE']) {
            const filters = { search, status, countryCode, columns, limit: 1 };
            const page = await clinics.list(filters);
            if (page?.nextCursor) await clinics.list({ ...filters, cursor: page.nextCursor });
          }
  } catch (error) {
    // A call that failed left a later call without its input (reported above).
    run.failedCalls.push(`platform calls stopped: ${(error as Error).message}`);
  }
  return run;
}

/**
 * Runs the check on `databaseUrl`: refuses (CitusCheckError) without Citus or
 * before `migrate --citus`; else adds two clinics with a few rows each, and
 * returns every clinic-scope statement with its task count.
 */
export async function citusCheck(databaseUrl: string): Promise<CitusCheckResult> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    const citusVersion = await ensureCitusMigrated(admin);
    const events: QueryEvent[] = [];
    const vz = await createVetalyze({
      connectionString: databaseUrl,
      cacheInvalidation: false,
      citus: true,
      onQuery: (event) => events.push(event),
    });
    let run: ClinicCallsRun;
    let uncalled: string[];
    let platform: ClinicCallsRun;
    let uncalledPlatform: string[];
    try {
      run = await runClinicCalls(vz, events);
      uncalled = clinicScopeMethods(vz.forClinic(1)).filter((method) => !run.called.has(method));
      platform = await runPlatformCalls(vz, events);
      uncalledPlatform = platformMethods(vz).filter((method) => !platform.called.has(method));
    } finally {
      await vz.close();
    }
    const { sent, failedCalls } = run;
    const statements: ExplainedStatement[] = [];
    for (const { call, clinicId, event } of sent) {
      if (notExplainable.test(event.sql)) continue;
      try {
        const { tasks, scans, inlined } = await explain(admin, event.sql, event.values);
        statements.push({ call, clinicId, sql: event.sql, tasks, scans, inlined });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        statements.push({ call, clinicId, sql: event.sql, tasks: 0, scans: 0, error: message });
      }
    }
    return {
      citusVersion,
      statements,
      multiTask: statements.filter((statement) => statement.tasks > 1 || statement.error),
      failedCalls,
      uncalled,
      platformCalls: [...platform.called].sort(),
      failedPlatformCalls: platform.failedCalls,
      uncalledPlatform,
    };
  } finally {
    await admin.end();
  }
}

/**
 * One line per clinic-scope method: its statements and how many tasks they
 * need, as `tasks x statements` (`owners.create: 8 statements, 1 task x1, 5
 * tasks x5, 9 tasks x2`); a statement EXPLAIN could not plan counts as `not planned`.
 */
export function perMethodTasks(statements: readonly ExplainedStatement[]): string[] {
  const byCall = new Map<string, Map<string, number>>();
  for (const statement of statements) {
    const counts = byCall.get(statement.call) ?? new Map<string, number>();
    const key = statement.error ? 'error' : String(statement.tasks);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    byCall.set(statement.call, counts);
  }
  return [...byCall.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([call, counts]) => {
      const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
      const parts = [...counts.entries()]
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([tasks, n]) =>
          tasks === 'error'
            ? `not planned x${n}`
            : `${tasks} ${tasks === '1' ? 'task' : 'tasks'} x${n}`,
        );
      return `METHOD ${call}: ${total} statements, ${parts.join(', ')}`;
    });
}

/** One line per statement: call, tasks, scans, the statement's start. */
export function formatCitusCheck(result: CitusCheckResult): string {
  const lines = result.statements.map(
    (s) =>
      `${s.error ? 'ERROR' : s.tasks > 1 ? 'MULTI' : 'ok   '} ${s.call.padEnd(17)} tasks=${s.tasks} scans=${s.scans}${s.inlined ? ' (literals)' : ''}  ${s.error ? `${s.error}: ` : ''}${s.sql.replace(/\s+/g, ' ').trim().slice(0, 110)}`,
  );
  for (const failed of result.failedCalls) lines.push(`FAILED CALL ${failed}`);
  for (const method of result.uncalled)
    lines.push(`NOT CALLED ${method} (bench/citus/check.ts must call it)`);
  for (const failed of result.failedPlatformCalls) lines.push(`FAILED PLATFORM CALL ${failed}`);
  for (const method of result.uncalledPlatform)
    lines.push(`NOT CALLED ${method} (bench/citus/check.ts must call it)`);
  lines.push(...perMethodTasks(result.statements));
  const calls = new Set(result.statements.map((s) => s.call)).size;
  lines.push(
    `Citus ${result.citusVersion}: ${result.statements.length} statements of ${calls} clinic-scope methods; ${result.multiTask.length} need more than one task or fail to plan; ${result.failedCalls.length} calls failed; ${result.platformCalls.length} platform methods called, ${result.failedPlatformCalls.length} platform calls failed`,
  );
  return `${lines.join('\n')}\n`;
}
