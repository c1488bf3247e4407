import type { Site } from '@glint/api/replies';
import { FieldForm } from '../forms/field-form';

/**
 * One way of adding a site (a file, a pasted entry, a credential): a form whose reply is the new
 * site, announced as `site-added`.
 */
export abstract class AddSiteMethod extends FieldForm {
  protected readonly submitLabel = 'Add site';
  protected abstract readonly path: string;
  protected abstract body(form: FormData): Promise<object>;

  protected async send(form: FormData): Promise<unknown> {
    return this.client.post<Site>(this.path, await this.body(form));
  }

  protected done(reply: unknown): void {
    this.dispatchEvent(
      new CustomEvent<Site>('site-added', { bubbles: true, composed: true, detail: reply as Site }),
    );
  }
}

/** The body's optional parts, left out when empty. */
export const given = (parts: Record<string, string>) =>
  Object.fromEntries(Object.entries(parts).filter(([, value]) => value !== ''));
