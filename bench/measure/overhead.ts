import type pg from 'pg';
import type { CapturedStatement, StatementRecorder } from '../scenarios/recorder.js';
import type { Scenario } from '../scenarios/scenario.js';
import { type LatencySummary, summarize } from '../stats.js';
import { replay } from './replay.js';

/** The library against bare node-postgres on the very statements it sent. */
export interface OverheadResult {
  readonly library: LatencySummary;
  readonly raw: LatencySummary;
  /** library p50 / raw p50. */
  readonly ratioP50: number;
  /** library p95 / raw p95. */
  readonly ratioP95: number;
  /** Statements per call seen while capturing. */
  readonly statementsPerCall: number;
}

const warmCalls = 5;

/**
 * Interleaves library calls with raw replays of the statements each call sent,
 * in one process on one data set, so drift on a shared machine hits both sides.
 * Reads: inputs are captured first, then each pair runs library-then-raw or
 * raw-then-library alternately. Writes: library call (captured), undo, raw
 * replay of the same statements, then the replay's rows are removed.
 * Returns null when the operation sends no statement (a cache hit).
 */
export async function measureOverhead(
  scenario: Scenario,
  kind: 'read' | 'write',
  recorder: StatementRecorder,
  raw: pg.ClientBase,
  samples: number,
): Promise<OverheadResult | null> {
  const libraryMs: number[] = [];
  const rawMs: number[] = [];
  let statementCount = 0;

  if (kind === 'read') {
    const trials = Array.from({ length: samples + warmCalls }, () => scenario.draw());
    const captured: CapturedStatement[][] = [];
    for (const trial of trials) {
      const { statements } = await recorder.capture(() => trial.run());
      captured.push(statements);
      statementCount += statements.length;
    }
    if (statementCount === 0) return null;
    for (let i = 0; i < trials.length; i++) {
      const trial = trials[i];
      const statements = captured[i] ?? [];
      if (!trial) continue;
      const timeLibrary = async () => {
        const started = performance.now();
        await trial.run();
        return performance.now() - started;
      };
      const timeRaw = async () => {
        const started = performance.now();
        await replay(raw, statements);
        return performance.now() - started;
      };
      let library: number;
      let bare: number;
      if (i % 2 === 0) {
        library = await timeLibrary();
        bare = await timeRaw();
      } else {
        bare = await timeRaw();
        library = await timeLibrary();
      }
      if (i >= warmCalls) {
        libraryMs.push(library);
        rawMs.push(bare);
      }
    }
  } else {
    for (let i = 0; i < samples + warmCalls; i++) {
      const trial = scenario.draw();
      let started = performance.now();
      const { statements } = await recorder.capture(() => trial.run());
      const library = performance.now() - started;
      statementCount += statements.length;
      await trial.undo();
      started = performance.now();
      const rows = await replay(raw, statements);
      const bare = performance.now() - started;
      await trial.settleReplay(rows);
      if (i >= warmCalls) {
        libraryMs.push(library);
        rawMs.push(bare);
      }
    }
    if (statementCount === 0) return null;
  }
  const library = summarize(libraryMs);
  const bare = summarize(rawMs);
  return {
    library,
    raw: bare,
    ratioP50: library.p50 / bare.p50,
    ratioP95: library.p95 / bare.p95,
    statementsPerCall: statementCount / (samples + warmCalls),
  };
}
