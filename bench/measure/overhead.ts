import type { Vetalyze } from '@vetalyze/db';
import type { CapturedStatement, StatementRecorder } from '../scenarios/recorder.js';
import type { ReplayRow, Scenario, Trial } from '../scenarios/scenario.js';
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

/** Pairs discarded first. */
const warmCalls = 5;

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

/**
 * Interleaves library calls with raw replays of the statements each call sent,
 * in one process on one data set, so drift on a shared machine hits both sides.
 * Reads: inputs are captured first. Writes: each input's library call is
 * captured untimed and undone first. Then each pair runs library-then-raw or
 * raw-then-library alternately, with the data put back between the two.
 *
 * The replay borrows a connection of the library's own primary pool
 * (`vz.withConnection`, inside its timing), which hands out its most recently
 * used connection: both sides run on the same backend. With separate
 * connections the ratio measured which CPU each backend sat on: owners.get
 * read 1.05x, 1.38x and 1.07x in three runs with a single raw connection, and
 * clinics.get 1.14x-1.64x with four.
 * Returns null when the operation sends no statement (a cache hit).
 */
export async function measureOverhead(
  scenario: Scenario,
  kind: 'read' | 'write',
  recorder: StatementRecorder,
  vz: Vetalyze,
  samples: number,
): Promise<OverheadResult | null> {
  const libraryMs: number[] = [];
  const rawMs: number[] = [];
  const calls = samples + warmCalls;
  let statementCount = 0;

  // Reads: every input's statements, captured before any timing.
  const trials = kind === 'read' ? Array.from({ length: calls }, () => scenario.draw()) : [];
  const captured: CapturedStatement[][] = [];
  for (const trial of trials) {
    const { statements } = await recorder.capture(() => trial.run());
    captured.push(statements);
    statementCount += statements.length;
  }
  if (kind === 'read' && statementCount === 0) return null;

  /**
   * Times the replay with its borrow, as the lean side is timed
   * (measure/lean.ts) and as an application's `pool.query` pays its checkout:
   * the library's calls check out inside their timing too. Timed without it,
   * the raw side left the library's checkout (about 1 µs, plus a wait when the
   * pool is busy) on the library's side of the ratio only.
   */
  const timeReplay = async (statements: readonly CapturedStatement[]) => {
    let rows: ReplayRow[] = [];
    const ms = await timed(async () => {
      rows = await vz.withConnection((connection) => replay(connection, statements));
    });
    return { ms, rows };
  };

  for (let i = 0; i < calls; i++) {
    let library: number;
    let bare: number;
    if (kind === 'read') {
      const trial = trials[i] as Trial;
      const statements = captured[i] ?? [];
      const timeLibrary = () => timed(() => trial.run());
      const timeRaw = async () => (await timeReplay(statements)).ms;
      if (i % 2 === 0) {
        library = await timeLibrary();
        bare = await timeRaw();
      } else {
        bare = await timeRaw();
        library = await timeLibrary();
      }
    } else {
      const trial = scenario.draw();
      // Untimed: captures the statements, and warms this input's pages for
      // both sides (the side that went second would otherwise find them warm).
      const { statements } = await recorder.capture(() => trial.run());
      statementCount += statements.length;
      await trial.undo();
      const runLibrary = () => timed(() => trial.run());
      const runRaw = async () => {
        const { ms, rows } = await timeReplay(statements);
        await trial.settleReplay(rows);
        return ms;
      };
      if (i % 2 === 0) {
        library = await runLibrary();
        await trial.undo();
        bare = await runRaw();
      } else {
        bare = await runRaw();
        await trial.undo();
        library = await runLibrary();
        await trial.settle();
      }
    }
    if (i >= warmCalls) {
      libraryMs.push(library);
      rawMs.push(bare);
    }
  }
  if (statementCount === 0) return null;
  const library = summarize(libraryMs);
  const bare = summarize(rawMs);
  return {
    library,
    raw: bare,
    ratioP50: library.p50 / bare.p50,
    ratioP95: library.p95 / bare.p95,
    statementsPerCall: statementCount / calls,
  };
}
