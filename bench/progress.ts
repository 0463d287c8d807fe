import cliProgress from 'cli-progress';

/** A progress bar on stderr (drawn only on a terminal); `update(done, total)`, then `stop()`. */
export function createProgressBar(label: string): {
  update(done: number, total: number): void;
  stop(): void;
} {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} rows | {duration_formatted}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (done, total) => {
      if (!started) {
        bar.start(Math.max(total, done), 0);
        started = true;
      }
      bar.setTotal(Math.max(total, done));
      bar.update(done);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
