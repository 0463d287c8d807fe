import pg from 'pg';
import type { CapturedStatement, StatementRecorder } from '../scenarios/recorder.js';
import type { Scenario, Trial } from '../scenarios/scenario.js';
import { type LatencySummary, summarize } from '../stats.js';
import { replay } from './replay.js';

/** Closed-loop throughput of mixed reads, library against raw node-postgres. */
export interface ThroughputResult {
  readonly callers: number;
  /** Measured seconds per side. */
  readonly seconds: number;
  readonly operations: readonly string[];
  readonly library: { readonly opsPerSecond: number; readonly latency: LatencySummary };
  readonly raw: { readonly opsPerSecond: number; readonly latency: LatencySummary };
  /** library ops/s / raw ops/s. */
  readonly ratio: number;
}

/**
 * `callers` concurrent callers loop over a precaptured mix of clinic-scope
 * reads for `seconds` per side, alternating library and raw slices (four
 * each) so drift on a shared machine hits both sides alike. The raw side
 * replays the statements the library sent for the same inputs, through a
 * node-postgres pool of `callers` connections.
 */
export async function measureThroughput(options: {
  scenarios: readonly Scenario[];
  recorder: StatementRecorder;
  databaseUrl: string;
  callers: number;
  seconds: number;
}): Promise<ThroughputResult> {
  const { scenarios, recorder, callers } = options;
  const trials: Trial[] = [];
  const captured: CapturedStatement[][] = [];
  for (let i = 0; i < 600; i++) {
    const scenario = scenarios[i % scenarios.length] as Scenario;
    const trial = scenario.draw();
    const { statements } = await recorder.capture(() => trial.run());
    trials.push(trial);
    captured.push(statements);
  }
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: callers });
  try {
    // Warm every raw connection's prepared statements, as the library's are by now.
    await Promise.all(
      Array.from({ length: callers }, async (_, caller) => {
        const client = await pool.connect();
        try {
          for (let i = caller; i < captured.length; i += callers)
            await replay(client, captured[i] ?? []);
        } finally {
          client.release();
        }
      }),
    );
    const slices = 4;
    const sliceMs = (options.seconds * 1000) / slices;
    const libraryMs: number[] = [];
    const rawMs: number[] = [];
    let libraryCalls = 0;
    let rawCalls = 0;
    let next = 0;
    const runSlice = async (side: 'library' | 'raw') => {
      const end = performance.now() + sliceMs;
      await Promise.all(
        Array.from({ length: callers }, async () => {
          while (performance.now() < end) {
            const index = next++ % trials.length;
            const started = performance.now();
            if (side === 'library') await (trials[index] as Trial).run();
            else await replay(pool, captured[index] ?? []);
            const elapsed = performance.now() - started;
            if (side === 'library') {
              libraryMs.push(elapsed);
              libraryCalls++;
            } else {
              rawMs.push(elapsed);
              rawCalls++;
            }
          }
        }),
      );
    };
    for (let slice = 0; slice < slices; slice++) {
      // L R R L L R R L: each side goes first equally often.
      const order: ('library' | 'raw')[] =
        slice % 2 === 0 ? ['library', 'raw'] : ['raw', 'library'];
      for (const side of order) await runSlice(side);
    }
    const libraryRate = libraryCalls / options.seconds;
    const rawRate = rawCalls / options.seconds;
    return {
      callers,
      seconds: options.seconds,
      operations: scenarios.map((scenario) => scenario.id),
      library: { opsPerSecond: libraryRate, latency: summarize(libraryMs) },
      raw: { opsPerSecond: rawRate, latency: summarize(rawMs) },
      ratio: rawRate > 0 ? libraryRate / rawRate : 0,
    };
  } finally {
    await pool.end();
  }
}
