import type { QueryEvent } from '@vetalyze/db';
import { describe, expect, it } from 'vitest';
import {
  clinicScopeMethods,
  perMethodTasks,
  platformMethods,
  runClinicCalls,
  runPlatformCalls,
  taskCounts,
} from '../../bench/citus/check.js';
import { runVetalyze } from '../helpers/cli.js';
import { createTestDatabase, createTestVetalyze } from '../helpers/database.js';

const vetalyze = (...args: string[]) => runVetalyze(args);

describe('on plain PostgreSQL', () => {
  it('citus-check exits 1: citus extension not installed', async () => {
    const database = await createTestDatabase();
    const { status, output } = await vetalyze('citus-check', '--database-url', database.url);
    expect(status).toBe(1);
    expect(output).toContain(`citus extension not installed in database "${database.name}"`);
    expect(output).toContain('vetalyze migrate --citus');
  });

  it('migrate --citus exits 1 naming the missing extension', async () => {
    const database = await createTestDatabase();
    const { status, output } = await vetalyze('migrate', '--citus', '--database-url', database.url);
    expect(status).toBe(1);
    expect(output).toContain(`citus extension not installed in database "${database.name}"`);
  });
});

/** A test instance (Citus mode or not) whose statements are recorded in `events`. */
async function recordedVetalyze(citus: boolean) {
  const events: QueryEvent[] = [];
  const { vz } = await createTestVetalyze({
    cacheInvalidation: false,
    citus,
    onQuery: (event) => events.push(event),
  });
  return { vz, events };
}

describe("citus-check's calls", () => {
  it.each([false, true])(
    'call every public clinic-scope method without a database error (run here on PostgreSQL, citus: %s)',
    async (citus) => {
      const { vz, events } = await recordedVetalyze(citus);
      const run = await runClinicCalls(vz, events);
      expect(run.failedCalls).toEqual([]);
      expect([...run.called].sort()).toEqual(clinicScopeMethods(vz.forClinic(1)).sort());
      expect(run.sent.length).toBeGreaterThan(50);
    },
  );
});

describe("citus-check's platform calls", () => {
  it.each([false, true])(
    'call every public platform method without a database error (run here on PostgreSQL, citus: %s)',
    async (citus) => {
      const { vz, events } = await recordedVetalyze(citus);
      const run = await runPlatformCalls(vz, events);
      expect(run.failedCalls).toEqual([]);
      expect([...run.called].sort()).toEqual(platformMethods(vz).sort());
      expect(platformMethods(vz)).toContain('subscriptions.renew');
    },
  );
});

describe('taskCounts', () => {
  it('sums nothing for a plan without Citus, and finds every Task Count of a Citus plan', () => {
    expect(taskCounts([{ Plan: { 'Node Type': 'Result' } }])).toEqual([]);
    // Shape of Citus 13's EXPLAIN (FORMAT JSON): a CTE subplan and the main router job.
    const plan = [
      {
        Plan: {
          'Node Type': 'Custom Scan',
          'Custom Plan Provider': 'Citus Adaptive',
          'Distributed Query': {
            Subplans: [
              {
                PlannedStmt: [
                  {
                    Plan: {
                      'Node Type': 'Custom Scan',
                      'Distributed Query': { Job: { 'Task Count': 1, 'Tasks Shown': 'All' } },
                    },
                  },
                ],
              },
            ],
            Job: { 'Task Count': 32, 'Tasks Shown': 'One of 32' },
          },
        },
      },
    ];
    expect(taskCounts(plan).sort()).toEqual([1, 32]);
  });
});

describe('perMethodTasks', () => {
  it("counts each method's statements by their tasks", () => {
    const statement = (call: string, tasks: number, error?: string) => ({
      call,
      clinicId: 1,
      sql: 'select 1',
      tasks,
      scans: 1,
      ...(error ? { error } : {}),
    });
    expect(
      perMethodTasks([
        statement('pets.add', 4),
        statement('owners.create', 5),
        statement('owners.create', 1),
        statement('owners.create', 5),
        statement('owners.create', 0, 'could not plan'),
      ]),
    ).toEqual([
      'METHOD owners.create: 4 statements, 1 task x1, 5 tasks x2, not planned x1',
      'METHOD pets.add: 1 statements, 4 tasks x1',
    ]);
  });
});
