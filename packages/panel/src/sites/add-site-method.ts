import type { Site } from '@glint/api/replies';
import { FieldForm } from '../forms/field-form';
import { formStyles } from '../forms/form-styles';
import { LabelsEditor } from './labels-editor/labels-editor';
import { labelsEditorStyles } from './labels-editor/styles';

/**
 * One way of adding a site (a file, a pasted entry, a credential): a form whose reply is the new
 * site, announced as `site-added`. Every way takes the site's labels too.
 */
export abstract class AddSiteMethod extends FieldForm {
  protected readonly submitLabel = 'Add site';
  protected abstract readonly path: string;
  protected abstract body(form: FormData): Promise<object>;
  private readonly labels = new LabelsEditor(this);

  static override styles = [formStyles, labelsEditorStyles];

  protected async send(form: FormData): Promise<unknown> {
    const labels = this.labels.read(form);
    return this.client.post<Site>(this.path, {
      ...(await this.body(form)),
      ...(Object.keys(labels).length > 0 ? { labels } : {}),
    });
  }

  protected override renderExtraFields() {
    return this.labels.render(this.errors.labels);
  }

  protected done(reply: unknown): void {
    this.labels.reset();
    this.dispatchEvent(
      new CustomEvent<Site>('site-added', { bubbles: true, composed: true, detail: reply as Site }),
    );
  }
}

/** The body's optional parts, left out when empty. */
export const given = (parts: Record<string, string>) =>
  Object.fromEntries(Object.entries(parts).filter(([, value]) => value !== ''));
