import type { TemplateResult } from 'lit';
import type { Site } from '@glint/api/replies';
import { FieldForm } from '../../forms/field-form';
import { formStyles } from '../../forms/form-styles';
import { LabelsEditor, sameLabels } from '../labels-editor/labels-editor';
import { labelsEditorStyles } from '../labels-editor/styles';
import { siteCodeFields } from '../site-code-fields';
import { announceSiteChanged, cancelButton } from '../site-edit/site-edit';

/**
 * A site's labels alone (PATCH /sites/:id with the whole new map): for an EC2 region's site, whose
 * name, settings and keys are its account's, but whose labels are its own. Fires `site-changed`
 * with the site, or `edit-cancelled`.
 */
export class GlintSiteLabels extends FieldForm {
  static override styles = [formStyles, labelsEditorStyles];
  static override properties = { ...FieldForm.properties, site: { attribute: false } };

  declare site: Site;
  protected readonly submitLabel = 'Save labels';
  protected readonly fields = ['labels'];
  protected readonly codeFields = siteCodeFields;
  private readonly labels = new LabelsEditor(this);

  override connectedCallback(): void {
    super.connectedCallback();
    this.labels.reset(this.site.labels);
  }

  protected async send(form: FormData): Promise<unknown> {
    const labels = this.labels.read(form);
    if (sameLabels(labels, this.site.labels)) return this.site;
    return this.client.patch<Site>(`/sites/${this.site.id}`, { labels });
  }

  protected done(reply: unknown): void {
    announceSiteChanged(this, reply as Site);
  }

  protected renderFields(): TemplateResult {
    return this.labels.render(this.errors.labels);
  }

  protected override renderExtraActions() {
    return cancelButton(this);
  }
}
