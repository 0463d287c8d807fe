import type { Vetalyze } from '@vetalyze/db';
import type pg from 'pg';
import type { Prng } from '../generate/prng.js';
import type { LeanClient } from '../lean/lean.js';
import type { InputPools } from './inputs.js';

/** A row a raw replay's last statement returned. */
export type ReplayRow = Record<string, unknown>;

/**
 * One call of an operation with its input already drawn. `run` is the timed
 * library call; the rest are untimed bookkeeping that keeps the data set as
 * it was (writes only).
 */
export interface Trial {
  /** What kind of input this is, for a per-input breakdown (e.g. `3 chars`); optional. */
  readonly tag?: string;
  /** The library call (timed). */
  run(): Promise<void>;
  /**
   * The lean reference on the same input (bench/lean/, timed like `run`): it
   * leaves the data as `run` does, so `settle` and `undo` apply after it alike.
   * Absent for an operation without one (the cached status).
   */
  lean?(client: LeanClient): Promise<void>;
  /** After `run` in a latency run: removes or reverts what the call added (bounded growth). */
  settle(): Promise<void>;
  /**
   * After `run` or a raw replay of its statements: restores the state the call
   * started from (database and any state the trial keeps), so the call can run
   * again, or its statements replay verbatim.
   */
  undo(): Promise<void>;
  /**
   * After a raw replay: removes what the replay added, given the rows its last
   * statement returned, or records where the replay left the data (as `run` would).
   */
  settleReplay(rows: readonly ReplayRow[]): Promise<void>;
}

/** An operation of targets.ts, ready to be drawn and run. */
export interface Scenario {
  /** The id of its OperationTarget. */
  readonly id: string;
  /** Draws an input across many clinics and returns the call to make. */
  draw(): Trial;
  /** Untimed, right before the operation is measured (e.g. fill a cache). */
  prepare?(): Promise<void>;
  /** Untimed, once at the end of a scale: puts back anything the runs left changed. */
  finish?(): Promise<void>;
}

/** What scenarios are built from. */
export interface ScenarioDeps {
  readonly vz: Vetalyze;
  /** A plain connection for untimed bookkeeping (cleanup, restores). */
  readonly admin: pg.ClientBase;
  readonly pools: InputPools;
  readonly prng: Prng;
  /** Unique per bench run: e-mail addresses of clinics made by the harness carry it. */
  readonly runId: string;
}

const nothing = async () => {};

/** A read: a call whose trial needs no bookkeeping, with its lean reference when it has one. */
export function readTrial(
  run: () => Promise<unknown>,
  tag?: string,
  lean?: (client: LeanClient) => Promise<unknown>,
): Trial {
  return {
    ...(tag ? { tag } : {}),
    run: async () => {
      await run();
    },
    ...(lean
      ? {
          lean: async (client: LeanClient) => {
            await lean(client);
          },
        }
      : {}),
    settle: nothing,
    undo: nothing,
    settleReplay: nothing,
  };
}
