import { LitElement, css, html, type PropertyValues } from 'lit';
import { ApiClient, ApiError } from './api-client';
import { followEvents } from './events';

/**
 * The root element. Embedded, it gets a Keystone `token` property; standalone it uses the session
 * cookie, asking for a login when there is none. It owns the API client and the event stream that
 * every view shares.
 */
export class GlintPanel extends LitElement {
  static override properties = {
    apiBase: { attribute: 'api-base' },
    token: { attribute: false },
    view: { state: true },
    error: { state: true },
  };

  /** Where the API is; empty for the page's own origin. */
  declare apiBase: string;
  /** A Keystone token; without one, the session cookie. */
  declare token: string | null;
  declare view: 'starting' | 'login' | 'matrix';
  declare error: string | null;

  private client = new ApiClient('', null);
  private readonly events = new EventTarget();
  private stream: AbortController | null = null;

  constructor() {
    super();
    this.apiBase = '';
    this.token = null;
    this.view = 'starting';
    this.error = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('apiBase') || changed.has('token')) void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stream?.abort();
  }

  /** A new client for the current base and authentication, and a session check when it needs one. */
  private async start() {
    this.stream?.abort();
    this.client = new ApiClient(this.apiBase, this.token);
    this.view = 'starting';
    this.error = null;
    if (!this.client.usesSession) return this.open();
    try {
      // A fresh CSRF token for a session that survives a reload; a 401 means there is none.
      this.client.csrfToken = (
        await this.client.get<{ csrfToken: string }>('/auth/csrf')
      ).csrfToken;
      this.open();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.view = 'login';
      else this.error = error instanceof Error ? error.message : String(error);
    }
  }

  private open() {
    this.stream = new AbortController();
    void followEvents(
      this.client,
      (event) => this.events.dispatchEvent(new CustomEvent('glint-event', { detail: event })),
      () => this.events.dispatchEvent(new Event('reconnect')),
      this.stream.signal,
    );
    this.view = 'matrix';
  }

  private sessionEnded(event: CustomEvent<ApiError>) {
    this.stream?.abort();
    if (this.client.usesSession) this.view = 'login';
    else this.error = `Glint refused the Keystone token: ${event.detail.message}`;
  }

  override render() {
    if (this.error) return html`<p class="error" role="alert">${this.error}</p>`;
    switch (this.view) {
      case 'starting':
        return html`<p>Loading…</p>`;
      case 'login':
        return html`<glint-login .client=${this.client} @logged-in=${this.open}></glint-login>`;
      case 'matrix':
        return html`<header><h1>Image distribution</h1></header>
          <glint-image-matrix
            .client=${this.client}
            .events=${this.events}
            @session-ended=${this.sessionEnded}
          ></glint-image-matrix>`;
    }
  }

  static override styles = css`
    :host {
      display: block;
      padding: 16px 20px;
      font:
        14px system-ui,
        sans-serif;
      color: #111827;
    }
    h1 {
      margin: 0 0 12px;
      font-size: 20px;
      font-weight: 600;
    }
    .error {
      color: #7f1d1d;
    }
  `;
}
