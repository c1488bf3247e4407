/**
 * Follows GET /api/v1/events. With fetch rather than EventSource, which cannot send the
 * X-Auth-Token header an embedded panel authenticates with; one code path serves both kinds of caller.
 */
import type { ApiClient } from './api-client';
import type { GlintEvent } from '@glint/core';

/** Splits Server-Sent Events text: the complete events in `buffer`, and the unfinished rest. */
export function parseEvents(buffer: string): { events: GlintEvent[]; rest: string } {
  const events: GlintEvent[] = [];
  const blocks = buffer.replace(/\r\n/g, '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    const data = block
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trimStart())
      .join('\n');
    // Comment-only blocks (": keep-alive") carry no data.
    if (data) events.push(JSON.parse(data) as GlintEvent);
  }
  return { events, rest };
}

const retryMs = (attempt: number) => Math.min(30_000, 1000 * 2 ** attempt);

/**
 * Calls `onEvent` with each event until `signal` aborts, reconnecting after a dropped stream.
 * `onReconnect` runs after every reconnection, since events sent meanwhile are lost.
 */
export async function followEvents(
  client: ApiClient,
  onEvent: (event: GlintEvent) => void,
  onReconnect: () => void,
  signal: AbortSignal,
): Promise<void> {
  for (let attempt = 0; !signal.aborted; attempt++) {
    try {
      const response = await fetch(client.url('/events'), client.init('GET', signal));
      if (response.ok && response.body) {
        if (attempt > 0) onReconnect();
        attempt = 0;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const parsed = parseEvents(buffer + value);
          buffer = parsed.rest;
          parsed.events.forEach(onEvent);
        }
      }
    } catch {
      // A dropped connection or an abort: either way, below decides.
    }
    if (signal.aborted) return;
    await new Promise((resolve) => setTimeout(resolve, retryMs(attempt)));
  }
}
