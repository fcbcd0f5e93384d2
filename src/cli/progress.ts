import cliProgress from 'cli-progress';

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

/**
 * A progress bar on standard error (silent when it is not a terminal, or with --quiet), so the
 * data on standard output stays clean.
 */
export function progressBar(quiet: boolean, unit: 'bytes' | 'items') {
  if (quiet || !process.stderr.isTTY) return { update: (_v: number, _t: number | null, _bytes: number) => {}, stop: () => {} };
  const format =
    unit === 'bytes' ? ' {bar} {percentage}% | {sent} of {size}' : ' {bar} {percentage}% | {value}/{total} items | {sent}';
  const bar = new cliProgress.SingleBar({ format, stream: process.stderr, hideCursor: true, etaBuffer: 50 }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    update(value: number, total: number | null, bytes: number) {
      const t = total ?? 0;
      if (!started) {
        bar.start(Math.max(t, 1), 0, { sent: mb(0), size: mb(t) });
        started = true;
      }
      if (total !== null && total !== bar.getTotal()) bar.setTotal(Math.max(total, 1));
      bar.update(Math.min(value, Math.max(t, value)), { sent: mb(bytes), size: mb(t) });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
