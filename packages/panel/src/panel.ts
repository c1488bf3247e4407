import { LitElement, css, html, type PropertyValues } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import { ApiError } from '@glint/core/client';
import { ApiClient } from './api-client';
import type { Me, SessionReply } from '@glint/api/replies';
import { followEvents } from './events';
import type { Role } from './roles';

/** The views, in the tabs' order; the matrix is the first. */
const views = [
  { id: 'matrix', label: 'Matrix' },
  { id: 'sites', label: 'Sites' },
  { id: 'rules', label: 'Rules' },
  { id: 'images', label: 'Images' },
  { id: 'jobs', label: 'Jobs' },
  { id: 'releases', label: 'Releases' },
] as const;
type ViewId = (typeof views)[number]['id'];

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
    tab: { state: true },
    error: { state: true },
    user: { state: true },
    role: { state: true },
  };

  /** Where the API is; empty for the page's own origin. */
  declare apiBase: string;
  /** A Keystone token; without one, the session cookie. */
  declare token: string | null;
  declare view: 'starting' | 'login' | 'open';
  /** The view shown while open. */
  declare tab: ViewId;
  declare error: string | null;
  /** Who is logged in, for a cookie session; a dashboard that embeds the panel shows its own. */
  declare user: Me | null;
  /** The caller's role in the project (GET /me), which decides the actions the views offer. */
  declare role: Role;
  /** Views shown once stay in the DOM, hidden, so they keep their state and follow events. */
  private visited = new Set<ViewId>();

  private client = new ApiClient('', null);
  private readonly events = new EventTarget();
  private stream: AbortController | null = null;

  constructor() {
    super();
    this.apiBase = '';
    this.token = null;
    this.view = 'starting';
    this.tab = 'matrix';
    this.error = null;
    this.user = null;
    this.role = null;
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
    if (!this.client.usesSession) return this.openWithToken();
    try {
      // Whether a session survived a reload, with a fresh CSRF token for it. Never a 401, so the
      // console of a browser that is not logged in yet shows no error.
      const session = await this.client.get<SessionReply>('/auth/session');
      if (!session.authenticated) {
        this.view = 'login';
        return;
      }
      this.client.csrfToken = session.csrfToken;
      this.open(session.user);
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
  }

  /** A token says nothing of its holder's role here: GET /me does, before any view shows. */
  private async openWithToken() {
    try {
      this.open(null, (await this.client.get<Me>('/me')).role);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.refused(error);
      else this.error = error instanceof Error ? error.message : String(error);
    }
  }

  private loggedIn(event: CustomEvent<Me>) {
    this.open(event.detail);
  }

  /** Another project: its views and events, from scratch. */
  private projectSwitched(event: CustomEvent<Me>) {
    this.stream?.abort();
    this.visited.clear();
    this.open(event.detail);
  }

  /** Ends the session and shows the login, as a newly opened page would. */
  private async logout() {
    try {
      await this.client.post('/auth/logout');
    } catch (error) {
      // A session that ended already is as good as ended now.
      if (!(error instanceof ApiError && error.status === 401)) {
        this.error = error instanceof Error ? error.message : String(error);
        return;
      }
    }
    this.stream?.abort();
    this.client.csrfToken = null;
    this.user = null;
    this.visited.clear();
    this.tab = 'matrix';
    this.view = 'login';
  }

  private open(user: Me | null, role: Role = user?.role ?? null) {
    this.user = user;
    this.role = role;
    this.stream = new AbortController();
    void followEvents(
      this.client,
      (event) => this.events.dispatchEvent(new CustomEvent('glint-event', { detail: event })),
      () => this.events.dispatchEvent(new Event('reconnect')),
      this.stream.signal,
    );
    this.view = 'open';
  }

  private sessionEnded(event: CustomEvent<ApiError>) {
    this.stream?.abort();
    if (this.client.usesSession) this.view = 'login';
    else this.refused(event.detail);
  }

  private refused(error: ApiError) {
    this.error = `Glint refused the Keystone token: ${error.message}`;
  }

  override render() {
    if (this.error) return html`<p class="error" role="alert">${this.error}</p>`;
    switch (this.view) {
      case 'starting':
        return html`<p>Loading…</p>`;
      case 'login':
        return html`<glint-login .client=${this.client} @logged-in=${this.loggedIn}></glint-login>`;
      case 'open':
        this.visited.add(this.tab);
        return html`<header>
            <h1>Image distribution</h1>
            <nav role="tablist" aria-label="Views" @keydown=${this.tabKey}>
              ${views.map(
                ({ id, label }) =>
                  html`<button
                    role="tab"
                    id="tab-${id}"
                    aria-controls="view-${id}"
                    aria-selected=${this.tab === id ? 'true' : 'false'}
                    tabindex=${this.tab === id ? 0 : -1}
                    @click=${() => (this.tab = id)}
                  >
                    ${label}
                  </button>`,
              )}
            </nav>
            ${this.user ? this.renderUser(this.user) : ''}
          </header>
          <div @session-ended=${this.sessionEnded}>
            ${keyed(this.user?.project?.id, this.renderViews())}
          </div>`;
    }
  }

  /** The views; a project switch makes them anew, for the other project's data. */
  private renderViews() {
    return html`${views.map(({ id }) =>
      this.visited.has(id)
        ? html`<section
            role="tabpanel"
            id="view-${id}"
            aria-labelledby="tab-${id}"
            ?hidden=${this.tab !== id}
          >
            ${this.viewOf(id)}
          </section>`
        : '',
    )}`;
  }

  private renderUser(user: Me) {
    const project = user.project ? ` · ${user.project.name}` : '';
    const role = user.role ? ` (${user.role})` : '';
    return html`<div class="user">
      <span title="Keystone domain ${user.domain}">${user.name}${project}${role}</span>
      ${keyed(
        user.project?.id,
        html`<glint-project-switch
          .client=${this.client}
          @project-switched=${this.projectSwitched}
        ></glint-project-switch>`,
      )}
      <button class="logout" @click=${this.logout}>Log out</button>
    </div>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    // A view drawn while hidden had no size to lay out in (the matrix's rows): it draws again now.
    if (changed.has('tab'))
      this.renderRoot.querySelector<LitElement>(`#view-${this.tab} > *`)?.requestUpdate();
  }

  private viewOf(id: ViewId) {
    switch (id) {
      case 'matrix':
        return html`<glint-image-matrix
          .client=${this.client}
          .events=${this.events}
          .role=${this.role}
        ></glint-image-matrix>`;
      case 'sites':
        return html`<glint-sites-view
          .client=${this.client}
          .events=${this.events}
          .role=${this.role}
        ></glint-sites-view>`;
      case 'rules':
        return html`<glint-rules-view
          .client=${this.client}
          .events=${this.events}
          .role=${this.role}
        ></glint-rules-view>`;
      case 'images':
        return html`<glint-images-view
          .client=${this.client}
          .events=${this.events}
          .role=${this.role}
        ></glint-images-view>`;
      case 'jobs':
        return html`<glint-jobs-view
          .client=${this.client}
          .events=${this.events}
          .role=${this.role}
        ></glint-jobs-view>`;
      case 'releases':
        return html`<glint-releases-view
          .client=${this.client}
          .events=${this.events}
          .role=${this.role}
        ></glint-releases-view>`;
    }
  }

  /** Arrows, Home and End move between the tabs, as the ARIA tabs pattern has it. */
  private tabKey(event: KeyboardEvent) {
    const at = views.findIndex(({ id }) => id === this.tab);
    const to = {
      ArrowRight: (at + 1) % views.length,
      ArrowLeft: (at - 1 + views.length) % views.length,
      Home: 0,
      End: views.length - 1,
    }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    this.tab = views[to]!.id;
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>(`#tab-${this.tab}`)?.focus(),
    );
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
    header {
      display: flex;
      align-items: baseline;
      gap: 24px;
      margin: 0 0 12px;
      border-bottom: 1px solid #d1d5db;
    }
    h1 {
      margin: 0;
      font-size: 20px;
      font-weight: 600;
    }
    [role='tablist'] {
      display: flex;
      gap: 2px;
    }
    [role='tab'] {
      padding: 8px 14px;
      border: none;
      border-bottom: 3px solid transparent;
      background: none;
      font: inherit;
      color: #374151;
      cursor: pointer;
    }
    [role='tab'][aria-selected='true'] {
      border-bottom-color: #1d4ed8;
      color: #1d4ed8;
      font-weight: 600;
    }
    [role='tab']:focus-visible {
      outline: 2px solid #111827;
      outline-offset: -2px;
    }
    .user {
      display: flex;
      align-items: center;
      gap: 8px;
      margin-left: auto;
      color: #374151;
    }
    .logout {
      padding: 4px 10px;
      border: 1px solid #d1d5db;
      border-radius: 4px;
      background: #fff;
      font: inherit;
      cursor: pointer;
    }
    [hidden] {
      display: none;
    }
    .error {
      color: #7f1d1d;
    }
  `;
}
