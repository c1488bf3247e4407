import { ApiError } from '@glint/core/client';

/**
 * What a view does with a failed request: a 401 means the session or token ended, which the panel
 * decides about (a login, or a message), so it is handed up as `session-ended`; anything else is the
 * view's to show, and its text is returned.
 */
export function failureText(host: HTMLElement, error: unknown): string | null {
  if (error instanceof ApiError && error.status === 401) {
    host.dispatchEvent(
      new CustomEvent('session-ended', { bubbles: true, composed: true, detail: error }),
    );
    return null;
  }
  return error instanceof Error ? error.message : String(error);
}
