/** A session's Server-Sent Events stream (GET /api/v1/events), read as a browser would. */
import type { Session } from './test-environment';

export interface EventStream {
  /** Everything received so far. */
  text(): string;
  /** Waits until `pattern` has been received; fails after 10 s. */
  until(pattern: string): Promise<void>;
  close(): Promise<void>;
}

/** Opens the stream of `session` on the server listening at `base`, collecting what arrives. */
export async function eventStream(base: string, session: Session): Promise<EventStream> {
  const response = await fetch(`${base}/api/v1/events`, { headers: { cookie: session.cookie } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/event-stream');
  let received = '';
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      received += decoder.decode(value, { stream: true });
    }
  })();
  return {
    text: () => received,
    async until(pattern: string) {
      for (let waited = 0; !received.includes(pattern); waited += 50) {
        if (waited > 10_000) throw new Error(`no ${pattern} in ${received}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close: () => reader.cancel(),
  };
}
