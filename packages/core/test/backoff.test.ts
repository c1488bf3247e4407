import { backoffDelay, sleep, withRetries } from '@glint/core';

const policy = { initialMs: 100, maxMs: 1000, retries: 3 };

test('delays grow exponentially up to the cap, with full jitter', () => {
  expect([1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n, () => 1))).toEqual([
    100, 200, 400, 800, 1000,
  ]);
  expect(backoffDelay(policy, 3, () => 0)).toBe(0);
  expect(backoffDelay(policy, 3, () => 0.5)).toBe(200);
});

test('withRetries retries only what is retryable, and at most `retries` times', async () => {
  const fast = { initialMs: 1, maxMs: 1, retries: 3 };
  let calls = 0;
  await expect(
    withRetries(
      async () => {
        calls++;
        throw new Error('transient');
      },
      () => true,
      fast,
    ),
  ).rejects.toThrow('transient');
  expect(calls).toBe(4);

  calls = 0;
  await expect(
    withRetries(
      async () => {
        calls++;
        throw new Error('permanent');
      },
      () => false,
      fast,
    ),
  ).rejects.toThrow('permanent');
  expect(calls).toBe(1);

  calls = 0;
  await expect(
    withRetries(
      async (attempt) => {
        calls++;
        if (attempt < 2) throw new Error('x');
        return 'ok';
      },
      () => true,
      fast,
    ),
  ).resolves.toBe('ok');
  expect(calls).toBe(3);
});

test('sleep rejects as soon as its signal aborts', async () => {
  const controller = new AbortController();
  const started = Date.now();
  const pending = sleep(10_000, controller.signal);
  controller.abort(new Error('cancelled'));
  await expect(pending).rejects.toThrow('cancelled');
  expect(Date.now() - started).toBeLessThan(1000);
});
