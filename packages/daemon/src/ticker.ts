/**
 * Runs `task` now and then every `everyMs`, logging a failed run instead of stopping; the timer
 * never keeps the process alive. Returns a function that stops it.
 */
export function everyInterval(
  task: () => Promise<unknown>,
  everyMs: number,
  log: (message: string, error?: unknown) => void,
  what: string,
): () => void {
  const run = () => void task().catch((error: unknown) => log(`${what} failed`, error));
  const timer = setInterval(run, everyMs);
  timer.unref();
  run();
  return () => clearInterval(timer);
}
