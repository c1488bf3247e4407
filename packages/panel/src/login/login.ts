import { LitElement, html } from 'lit';
import { ApiError } from '@glint/core/client';
import type { ApiClient } from '../api-client';
import type { LoginReply, Me } from '@glint/api/replies';
import { loginStyles } from './styles';

/**
 * The standalone page's login to the home Keystone (POST /auth/login). On success the client holds
 * the session's CSRF token and `logged-in` fires with the user; the session itself is an httpOnly
 * cookie.
 */
export class GlintLogin extends LitElement {
  static override styles = loginStyles;

  static override properties = {
    client: { attribute: false },
    error: { state: true },
    busy: { state: true },
  };

  declare client: ApiClient;
  declare error: string | null;
  declare busy: boolean;

  constructor() {
    super();
    this.error = null;
    this.busy = false;
  }

  private async submit(event: SubmitEvent) {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const field = (name: string) => String(form.get(name) ?? '').trim();
    const body: Record<string, string> = {
      username: field('username'),
      password: String(form.get('password') ?? ''),
    };
    if (field('project')) body.project = field('project');
    if (field('domain')) body.userDomain = field('domain');
    this.busy = true;
    this.error = null;
    try {
      const reply = await this.client.post<LoginReply>('/auth/login', body);
      this.client.csrfToken = reply.csrfToken;
      this.dispatchEvent(
        new CustomEvent<Me>('logged-in', { detail: reply.user, bubbles: true, composed: true }),
      );
    } catch (error) {
      this.error = error instanceof ApiError ? error.message : String(error);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    return html`<form @submit=${this.submit}>
      <h1>Log in to Glint</h1>
      <label>User name <input name="username" autocomplete="username" required /></label>
      <label
        >Password <input name="password" type="password" autocomplete="current-password" required
      /></label>
      <label>Project <input name="project" placeholder="your default project" /></label>
      <label>Domain <input name="domain" placeholder="Default" /></label>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      <button type="submit" ?disabled=${this.busy}>Log in</button>
    </form>`;
  }
}
