/**
 * Requests to the Glint API, authenticated one of two ways: a Keystone token (embedded in a
 * dashboard, sent as X-Auth-Token, no cookies), or the session cookie of a login on this page, whose
 * CSRF token must go with every request that changes something.
 */

import { ApiError } from '@glint/core/client';

const changesState = (method: string) => method !== 'GET' && method !== 'HEAD';

export class ApiClient {
  /** The session's CSRF token: from the login reply, or GET /auth/csrf after a page reload. */
  csrfToken: string | null = null;

  constructor(
    private readonly base: string,
    private readonly token: string | null,
  ) {}

  get usesSession(): boolean {
    return this.token === null;
  }

  url(path: string): string {
    return `${this.base.replace(/\/+$/, '')}/api/v1${path}`;
  }

  /** fetch() options every request of this client carries. */
  init(method: string, signal?: AbortSignal): RequestInit {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token !== null) headers['x-auth-token'] = this.token;
    else if (changesState(method) && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    // Cookies only for sessions; "include" so an api-base on another origin still gets them.
    return {
      method,
      headers,
      credentials: this.token === null ? 'include' : 'omit',
      ...(signal && { signal }),
    };
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const init = this.init(method);
    if (body !== undefined) {
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response: Response;
    try {
      response = await fetch(this.url(path), init);
    } catch (error) {
      throw new ApiError(0, 'unreachable', `the Glint API did not answer: ${String(error)}`);
    }
    return replyOf<T>(response.status, response.statusText, await response.text());
  }

  get = <T>(path: string) => this.request<T>('GET', path);
  post = <T>(path: string, body?: unknown) => this.request<T>('POST', path, body);
  put = <T>(path: string, body?: unknown) => this.request<T>('PUT', path, body);
  patch = <T>(path: string, body?: unknown) => this.request<T>('PATCH', path, body);
  delete = <T>(path: string) => this.request<T>('DELETE', path);

  /**
   * Sends `file` as the raw body of a POST, reporting the bytes sent as they go. XMLHttpRequest,
   * because fetch reports no upload progress.
   */
  upload<T>(path: string, file: Blob, onProgress: (sent: number) => void): Promise<T> {
    const init = this.init('POST');
    return new Promise<T>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', this.url(path));
      xhr.withCredentials = init.credentials === 'include';
      for (const [name, value] of Object.entries(init.headers as Record<string, string>))
        xhr.setRequestHeader(name, value);
      xhr.setRequestHeader('content-type', 'application/octet-stream');
      xhr.upload.onprogress = (event) => onProgress(event.loaded);
      xhr.onload = () => {
        try {
          resolve(replyOf<T>(xhr.status, xhr.statusText, xhr.responseText));
        } catch (error) {
          reject(error);
        }
      };
      xhr.onerror = () =>
        reject(new ApiError(0, 'unreachable', 'the Glint API did not answer the upload'));
      xhr.send(file);
    });
  }
}

/** A reply's JSON, or its error as an ApiError. */
function replyOf<T>(status: number, statusText: string, text: string): T {
  const json: unknown = text ? JSON.parse(text) : null;
  if (status < 200 || status >= 300) {
    const reply = (json ?? {}) as { error?: string; message?: string; details?: unknown };
    throw new ApiError(
      status,
      reply.error ?? 'http_error',
      reply.message ?? `${status} ${statusText}`,
      reply.details,
    );
  }
  return json as T;
}
