/** /readyz as the tests of the API's and the daemon's operator endpoints read it. */
import type { CuttableProxy } from './cuttable-proxy';
import { until } from './until';

export interface ReadyzReply {
  status: number;
  body: { ready: boolean; checks: Record<string, string> };
}

/**
 * Cuts the proxy for 4 s and expects `/readyz` (read by `readyz`) to be 503 while it is cut, with
 * `failing` checks failed and `unaffected` ones still ok; then waits until it is ready again.
 */
export async function expectUnreadyWhileCut(
  proxy: CuttableProxy,
  readyz: () => Promise<ReadyzReply>,
  failing: string[],
  unaffected: string[],
): Promise<void> {
  proxy.cut(4000);
  const cut = await readyz();
  expect(cut.status).toBe(503);
  expect(cut.body.ready).toBe(false);
  for (const check of failing) expect(cut.body.checks[check]).not.toBe('ok');
  for (const check of unaffected) expect(cut.body.checks[check]).toBe('ok');
  await until('ready again', async () => (await readyz()).status === 200, 30_000, 250);
}
