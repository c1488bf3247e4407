import { ApiError } from '@glint/core/client';
import { CliError } from './errors';
import type { Session } from './session';
import { readEvents, type ServerSentEvent } from './sse';

export type Query = Record<string, string | number | boolean | string[] | undefined>;

export interface RequestOptions {
  query?: Query;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is, streamed, with this content type. */
  stream?: { body: ReadableStream<Uint8Array>; contentType: string };
}

/** The Glint API, as the logged-in user: their Keystone token on every request, no cookies. */
export class ApiClient {
  constructor(
    readonly apiUrl: string,
    private readonly token: string,
  ) {}

  static of(session: Session): ApiClient {
    return new ApiClient(session.apiUrl, session.token);
  }

  url(path: string, query: Query = {}): string {
    const url = new URL(`/api/v1${path}`, this.apiUrl);
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value])
        url.searchParams.append(key, String(one));
    }
    return url.toString();
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = {
      'x-auth-token': this.token,
      accept: 'application/json',
    };
    let body: RequestInit['body'];
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.stream) {
      headers['content-type'] = options.stream.contentType;
      body = options.stream.body;
    }
    const response = await this.send(this.url(path, options.query), {
      method,
      headers,
      body,
      ...(options.stream ? { duplex: 'half' } : {}),
    });
    const text = await response.text();
    if (!response.ok) throw errorOf(response, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, { query });
  }

  /** Every item of a paged listing (`offset`/`limit`, `page.total`). */
  async all<Reply extends { page: { total: number } }, Item>(
    path: string,
    items: (reply: Reply) => Item[],
    query: Query = {},
  ): Promise<{ items: Item[]; last: Reply }> {
    const limit = 500;
    const all: Item[] = [];
    for (let offset = 0; ; offset += limit) {
      const reply = await this.get<Reply>(path, { ...query, offset, limit });
      all.push(...items(reply));
      if (offset + limit >= reply.page.total) return { items: all, last: reply };
    }
  }

  /** The caller's event stream, open (its headers received) when this resolves. */
  async events(signal: AbortSignal): Promise<AsyncGenerator<ServerSentEvent>> {
    const response = await this.send(this.url('/events'), {
      headers: { 'x-auth-token': this.token, accept: 'text/event-stream' },
      signal,
    });
    if (!response.ok || !response.body) throw errorOf(response, await response.text());
    // Node's web streams are async iterable; the DOM typings do not say so.
    return readEvents(response.body as unknown as AsyncIterable<Uint8Array>);
  }

  private async send(url: string, init: RequestInit & { duplex?: 'half' }): Promise<Response> {
    try {
      return await fetch(url, init);
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `cannot reach the Glint API at ${this.apiUrl} (${cause?.code ?? cause?.message ?? (error as Error).message}): ` +
          'check the URL given to glint login --api (or GLINT_API_URL) and that the API is running',
      );
    }
  }
}

interface ErrorBody {
  error?: string;
  message?: string;
  details?: unknown;
}

function errorOf(response: Response, text: string): ApiError {
  let body: ErrorBody = {};
  try {
    body = JSON.parse(text) as ErrorBody;
  } catch {
    // Not the API's JSON: a proxy's page, say. Its status is all there is to say.
  }
  const code = body.error ?? `http_${response.status}`;
  let message = body.message ?? `the API answered ${response.status} ${response.statusText}`;
  if (response.status === 401) {
    message +=
      ': run glint login again (with the OpenStack credentials of the Keystone Glint trusts)';
  }
  return new ApiError(response.status, code, message, body.details);
}

/** An API error for people: its message, code and status, and its details one per line. */
export function describeApiError(error: ApiError): string {
  const lines = [`${error.message} [${error.code}, HTTP ${error.status}]`];
  const { details } = error;
  if (Array.isArray(details)) {
    for (const item of details) {
      const { where, problem } = (item ?? {}) as { where?: string; problem?: string };
      lines.push(`  ${where && problem ? `${where}: ${problem}` : JSON.stringify(item)}`);
    }
  } else if (details !== undefined) {
    lines.push(`  ${JSON.stringify(details)}`);
  }
  return lines.join('\n');
}
