import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureInputs } from '../../bench/measure/load.js';
import { StatementRecorder } from '../../bench/scenarios/recorder.js';
import type { Scenario, Trial } from '../../bench/scenarios/scenario.js';
import { createTestDatabase } from '../helpers/database.js';

describe('the open-loop load', () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: (await createTestDatabase()).url, max: 2 });
  });
  afterAll(() => pool?.end());

  it('sends both sides the same inputs in the same order, never one still in flight', async () => {
    const recorder = new StatementRecorder();
    const libraryInputs: number[] = [];
    const rawInputs: number[] = [];
    let drawn = 0;
    // Each draw is a new input; its "library call" reports the statement it sent,
    // which the raw side replays on the real server.
    const scenario: Scenario = {
      id: 'owners.get',
      draw: (): Trial => {
        const input = ++drawn;
        let ran = false;
        return {
          run: async () => {
            if (ran) libraryInputs.push(input);
            ran = true;
            recorder.onQuery({
              sql: 'select $1::int as input',
              values: [input],
              name: undefined,
              durationMs: 0,
              rowCount: 1,
              failed: false,
              server: 'primary',
            });
          },
          settle: async () => {},
          undo: async () => {},
          settleReplay: async (rows) => {
            rawInputs.push(Number(rows[0]?.input));
          },
        };
      },
    };
    const sides = await captureInputs(
      [{ operation: 'owners.get' }],
      new Map([['owners.get', scenario]]),
      recorder,
      pool,
    );
    for (let i = 0; i < 150; i++) {
      const library = sides.library('owners.get');
      await library.send();
      await library.settle();
      const raw = sides.raw('owners.get');
      await raw.send();
      await raw.settle();
    }
    expect(drawn).toBe(100);
    expect(rawInputs).toEqual(libraryInputs);
    expect(libraryInputs.slice(0, 3)).toEqual([1, 2, 3]);
    expect(libraryInputs[100]).toBe(1);

    // A library request still in flight keeps its input: the ring skips it.
    const held = sides.library('owners.get');
    await held.send();
    const next = [];
    for (let i = 0; i < 100; i++) {
      const request = sides.library('owners.get');
      await request.send();
      next.push(libraryInputs.at(-1));
      await request.settle();
    }
    const heldInput = libraryInputs.at(-101);
    expect(next).not.toContain(heldInput);
    await held.settle();
  });
});
