import type { Vetalyze } from '@vetalyze/db';
import type { Scenario, Trial } from '../scenarios/scenario.js';
import { type LatencySummary, summarize } from '../stats.js';

/** The library against the lean reference (bench/lean/) on the same inputs. */
export interface LeanResult {
  readonly library: LatencySummary;
  readonly lean: LatencySummary;
  /** library p50 / lean p50. */
  readonly ratioP50: number;
  /** library p95 / lean p95. */
  readonly ratioP95: number;
}

/** Pairs discarded first: the lean statements are prepared on their first call per connection. */
const warmPairs = 5;

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

/**
 * Alternates library calls and lean calls on the same drawn inputs, one pair
 * per input, the order swapped every pair (library first, then lean first), so
 * drift on a shared machine hits both sides alike. The lean call runs on a
 * connection borrowed from the library's own pool (the replay's reason: the
 * same backend for both sides, see measure/overhead.ts), and its timing
 * includes the borrow, as an application's `pool.query` includes its checkout.
 * Writes: each input first runs once untimed through the library and is
 * undone (its pages then are warm for either side); each side then starts
 * from the same state, undone between the two and settled after both.
 * Returns null when the scenario has no lean reference.
 */
export async function measureLean(
  scenario: Scenario,
  kind: 'read' | 'write',
  vz: Vetalyze,
  samples: number,
): Promise<LeanResult | null> {
  const libraryMs: number[] = [];
  const leanMs: number[] = [];
  for (let i = 0; i < samples + warmPairs; i++) {
    const trial: Trial = scenario.draw();
    const lean = trial.lean;
    if (!lean) return null;
    const timeLibrary = () => timed(() => trial.run());
    // Timed with the borrow, as a hand-written app's pool.query pays its checkout too.
    const timeLean = () => timed(() => vz.withConnection((client) => lean.call(trial, client)));
    if (kind === 'write') {
      await trial.run();
      await trial.undo();
    }
    let library: number;
    let bare: number;
    if (i % 2 === 0) {
      library = await timeLibrary();
      if (kind === 'write') await trial.undo();
      bare = await timeLean();
    } else {
      bare = await timeLean();
      if (kind === 'write') await trial.undo();
      library = await timeLibrary();
    }
    await trial.settle();
    if (i >= warmPairs) {
      libraryMs.push(library);
      leanMs.push(bare);
    }
  }
  const library = summarize(libraryMs);
  const lean = summarize(leanMs);
  return { library, lean, ratioP50: library.p50 / lean.p50, ratioP95: library.p95 / lean.p95 };
}
