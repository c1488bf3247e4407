import { LitElement, html } from 'lit';
import { ApiError } from '@glint/core/client';
import type { LoginReply, Me, ProjectList } from '@glint/api/replies';
import type { ApiClient } from '../api-client';
import { projectSwitchStyles } from './styles';

/**
 * The standalone page's project switch: the user's Keystone projects (GET /auth/projects) when
 * there is more than one; choosing one re-scopes the session (POST /auth/project), and
 * `project-switched` fires with the user as the new session sees them. Inside a dashboard the panel
 * follows the token it is handed instead.
 */
export class GlintProjectSwitch extends LitElement {
  static override properties = {
    client: { attribute: false },
    projects: { state: true },
    error: { state: true },
    busy: { state: true },
  };

  declare client: ApiClient;
  declare projects: ProjectList['projects'];
  declare error: string | null;
  declare busy: boolean;

  constructor() {
    super();
    this.projects = [];
    this.error = null;
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    try {
      this.projects = (await this.client.get<ProjectList>('/auth/projects')).projects;
    } catch (error) {
      this.error = error instanceof ApiError ? error.message : String(error);
    }
  }

  private async choose(event: Event) {
    const project = (event.target as HTMLSelectElement).value;
    this.busy = true;
    this.error = null;
    try {
      const reply = await this.client.post<LoginReply>('/auth/project', { project });
      this.client.csrfToken = reply.csrfToken;
      this.dispatchEvent(
        new CustomEvent<Me>('project-switched', {
          detail: reply.user,
          bubbles: true,
          composed: true,
        }),
      );
    } catch (error) {
      this.error = error instanceof ApiError ? error.message : String(error);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    if (this.error) return html`<span class="error" role="alert">${this.error}</span>`;
    if (this.projects.length < 2) return '';
    return html`<label
      >Project
      <select ?disabled=${this.busy} @change=${this.choose}>
        ${this.projects.map(
          (p) => html`<option value=${p.id} ?selected=${p.current}>${p.name}</option>`,
        )}
      </select></label
    >`;
  }

  static override styles = projectSwitchStyles;
}
