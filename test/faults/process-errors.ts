import { afterAll } from 'vitest';

/**
 * Records every 'uncaughtException' and 'unhandledRejection' of this test
 * file's process (a host without handlers would have exited on the first);
 * the file's last test expects none.
 */
export function recordProcessErrors(): readonly unknown[] {
  const seen: unknown[] = [];
  const onUncaught = (error: unknown) => seen.push(['uncaughtException', error]);
  const onUnhandled = (reason: unknown) => seen.push(['unhandledRejection', reason]);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUnhandled);
  afterAll(() => {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUnhandled);
  });
  return seen;
}

/** Calls `check` every `everyMs` until it returns true; the ms it took, or Infinity after `limitMs`. */
export async function msUntil(
  check: () => Promise<boolean>,
  limitMs: number,
  everyMs = 25,
): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < limitMs) {
    if (await check()) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return Number.POSITIVE_INFINITY;
}
