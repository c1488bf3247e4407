/** Exponential back-off with full jitter, shared by every retry loop so they all behave alike. */
export interface BackoffPolicy {
  /** Delay before the first retry, in ms. */
  initialMs: number;
  /** Upper bound for any single delay, in ms. */
  maxMs: number;
  /** How many retries after the first attempt. */
  retries: number;
}

/** The delay before retry number `attempt` (1-based): uniformly random in [0, min(max, initial·2^(n-1))]. */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** (attempt - 1));
  return Math.round(ceiling * random());
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `operation` until it succeeds, `isRetryable` says no, or the policy's retries are spent; the
 * last error is thrown.
 */
export async function withRetries<T>(
  operation: (attempt: number) => Promise<T>,
  isRetryable: (error: unknown) => boolean,
  policy: BackoffPolicy,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= policy.retries || !isRetryable(error) || signal?.aborted) throw error;
      await sleep(backoffDelay(policy, attempt + 1), signal);
    }
  }
}
