import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { ApiError } from '@glint/core/client';
import type { Rule, RuleBody, RulePlan, SavedRule, Site } from '@glint/api/replies';
import { FieldForm, text } from '../../forms/field-form';
import { cancelButton } from '../../sites/site-edit/site-edit';
import { rulePlanView } from '../rule-plan/rule-plan';
import { ruleFormStyles } from './styles';

/** Rule names are slugs, their handle in URLs and files. */
const ruleName = /^[a-z0-9][a-z0-9-]{0,62}$/;
const previewDelayMs = 400;

/** A comma-separated list's items. */
const items = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** A form's refusal of a field, as the API's own schema complaints look, so it shows beside it. */
const refused = (field: string, problem: string) =>
  new ApiError(400, 'invalid_request', problem, [{ where: `body/${field}`, problem }]);

/** `key=value, …` as a map; a part without "=" is refused beside `field`. */
function pairs(value: string, field: string, what: string): Record<string, string> | undefined {
  const parts = items(value);
  if (parts.length === 0) return undefined;
  const map: Record<string, string> = {};
  for (const part of parts) {
    const at = part.indexOf('=');
    if (at <= 0) throw refused(field, `${what} "${part}" is not key=value`);
    map[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return map;
}

/** The fields given: without those undefined or empty lists. */
function given<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(
      ([, value]) => value !== undefined && !(Array.isArray(value) && value.length === 0),
    ),
  ) as Partial<T>;
}

const joinPairs = (map: Record<string, string> | undefined) =>
  Object.entries(map ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');

/**
 * Creates a standing rule, or replaces one (`rule`), with PUT /rules/:name: which images (name
 * patterns, Glance properties, ids) belong on which sites (labels, types, regions, chosen sites).
 * As it is filled in, POST /rules/:name/preview shows what it would imply now. Fires `rule-saved`
 * with the API's reply, or `edit-cancelled`.
 */
export class GlintRuleForm extends FieldForm {
  static override styles = ruleFormStyles;

  static override properties = {
    ...FieldForm.properties,
    rule: { attribute: false },
    sites: { attribute: false },
    siteTypes: { attribute: false },
    preview: { state: true },
  };

  /** The rule to replace; null for a new one. */
  declare rule: Rule | null;
  declare sites: Site[];
  declare siteTypes: string[];
  /** What the form's rule would imply now, or why it cannot tell yet. */
  declare preview: RulePlan | { note: string } | null;
  protected readonly fields = ['name', 'description', 'images', 'sites', 'prune'];
  protected readonly codeFields = {
    invalid_labels: 'sites',
    rule_name_taken: 'name',
  };
  private previewTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by every preview asked for, so only the latest one shows. */
  private previews = 0;

  constructor() {
    super();
    this.rule = null;
    this.sites = [];
    this.siteTypes = [];
    this.preview = null;
  }

  protected get submitLabel() {
    return this.rule ? 'Save rule' : 'Create rule';
  }

  protected override firstUpdated(changed: PropertyValues): void {
    super.firstUpdated(changed);
    if (this.rule) this.schedulePreview(0);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.previewTimer);
  }

  /** The rule's name and PUT body as the form has them; a mistake throws as the API's would. */
  private ruleOf(form: FormData): { name: string; body: RuleBody } {
    const name = this.rule?.name ?? text(form, 'name');
    if (!ruleName.test(name))
      throw refused(
        'name',
        'a rule name is lower-case letters, digits and "-", at most 63, starting with a letter or digit',
      );
    const images = given({
      names: items(text(form, 'imageNames')),
      properties: pairs(text(form, 'imageProperties'), 'images', 'property'),
      ids: items(text(form, 'imageIds')),
    });
    const sites = given({
      labels: pairs(text(form, 'siteLabels'), 'sites', 'label'),
      types: form.getAll('siteTypes').map(String),
      regions: items(text(form, 'siteRegions')),
      ids: form.getAll('siteIds').map(String),
    });
    if (Object.keys(images).length === 0)
      throw refused('images', 'choose images: name patterns, properties or ids');
    if (Object.keys(sites).length === 0)
      throw refused('sites', 'choose sites: labels, types, regions or sites');
    return {
      name,
      body: {
        description: text(form, 'description'),
        images,
        sites: sites as RuleBody['sites'],
        prune: form.has('prune'),
      },
    };
  }

  private get form(): HTMLFormElement | null {
    return this.renderRoot.querySelector('form');
  }

  /** Asks for the preview once typing pauses. */
  private schedulePreview(delay = previewDelayMs) {
    clearTimeout(this.previewTimer);
    this.previewTimer = setTimeout(() => void this.loadPreview(), delay);
  }

  private async loadPreview() {
    const form = this.form;
    if (!form) return;
    const asked = ++this.previews;
    let preview: GlintRuleForm['preview'];
    try {
      const { name, body } = this.ruleOf(new FormData(form));
      preview = await this.client.post<RulePlan>(
        `/rules/${encodeURIComponent(name)}/preview`,
        body,
      );
    } catch (error) {
      preview = { note: error instanceof Error ? error.message : String(error) };
    }
    if (asked === this.previews) this.preview = preview;
  }

  protected send(form: FormData): Promise<unknown> {
    const { name, body } = this.ruleOf(form);
    return this.client.put<SavedRule>(`/rules/${encodeURIComponent(name)}`, body);
  }

  protected done(reply: unknown): void {
    this.dispatchEvent(
      new CustomEvent<SavedRule>('rule-saved', {
        bubbles: true,
        composed: true,
        detail: reply as SavedRule,
      }),
    );
  }

  override render() {
    return html`<div class="rule-form" @input=${() => this.schedulePreview()}>
      ${super.render()}
      <section class="preview" aria-live="polite" aria-label="What the rule implies now">
        <h4>Implies now</h4>
        ${this.renderPreview()}
      </section>
    </div>`;
  }

  private renderPreview() {
    if (this.preview === null)
      return html`<p class="hint">Name the rule and choose images and sites to see its copies.</p>`;
    if ('note' in this.preview) return html`<p class="hint">${this.preview.note}</p>`;
    return rulePlanView(this.preview, 'Nothing to do now: every copy it wants is there.');
  }

  protected renderFields(): TemplateResult {
    const rule = this.rule;
    return html`${
      rule
        ? html`<p class="rule-name">Rule <b>${rule.name}</b></p>`
        : this.input('name', 'Name', 'text', {
            hint: 'Lower-case letters, digits and "-"; how files and the CLI name it',
          })
    }
    ${this.input('description', 'Description', 'text', { value: rule?.description ?? '' })}
    ${this.renderImages(rule)} ${this.renderSites(rule)} ${this.renderPrune(rule)}`;
  }

  private renderImages(rule: Rule | null) {
    const images = rule?.images ?? {};
    return this.selector(
      'images',
      'Images',
      'Every field given must match; leave the others empty.',
      [
        this.plain(
          'imageNames',
          'Name patterns',
          images.names?.join(', '),
          'ubuntu-24.04-*, debian-12-*',
        ),
        this.plain(
          'imageProperties',
          'Glance properties',
          joinPairs(images.properties),
          'os_distro=ubuntu',
        ),
        this.plain('imageIds', 'Image ids', images.ids?.join(', '), ''),
      ],
    );
  }

  private renderSites(rule: Rule | null) {
    const sites = rule?.sites ?? {};
    const chosen = (list: string[] | undefined, value: string) => list?.includes(value) ?? false;
    return this.selector(
      'sites',
      'Sites',
      'Every field given must match; leave the others empty.',
      [
        this.plain('siteLabels', 'Labels', joinPairs(sites.labels), 'tier=prod, experiment=atlas'),
        this.ticks(
          'siteTypes',
          'Types',
          this.siteTypes.map((type) => [type, type, chosen(sites.types, type)]),
        ),
        this.plain('siteRegions', 'Regions', sites.regions?.join(', '), 'RegionOne'),
        this.ticks(
          'siteIds',
          'These sites',
          this.sites.map((site) => [site.id, site.name, chosen(sites.ids, site.id)]),
        ),
      ],
    );
  }

  private renderPrune(rule: Rule | null) {
    return html`<div class="field prune" data-field="prune">
      <label
        ><input type="checkbox" name="prune" ?checked=${rule?.prune ?? false} /> Prune: delete the
        copies this rule placed once it no longer implies them</label
      >
      <span class="hint"
        >Say a site loses its label, or an image its name: with prune, the copies the rule made
        there are deleted (never the last copy anywhere); without it they stay, wanted by nobody,
        until someone removes them. Ticking or clearing a cell by hand always overrides a
        rule.</span
      >
    </div>`;
  }

  /** A selector's fieldset: its fields, and the API's complaint about it as a whole. */
  private selector(
    name: string,
    legend: string,
    hint: string,
    fields: (TemplateResult | typeof nothing)[],
  ) {
    const error = this.errors[name];
    return html`<fieldset class="selector" data-field=${name}>
      <legend>${legend}</legend>
      <span class="hint">${hint}</span>
      ${fields} ${error ? html`<p class="field-error" role="alert">${error}</p>` : nothing}
    </fieldset>`;
  }

  private plain(name: string, label: string, value = '', placeholder: string) {
    return html`<div class="sub-field">
      <label for=${name}>${label}</label>
      <input
        id=${name}
        name=${name}
        .value=${value}
        placeholder=${placeholder}
        autocomplete="off"
      />
    </div>`;
  }

  private ticks(name: string, label: string, choices: [string, string, boolean][]) {
    if (choices.length === 0) return nothing;
    return html`<div class="sub-field" role="group" aria-label=${label}>
      <span class="group-label">${label}</span>
      <div class="choices">
        ${choices.map(
          ([value, text, checked]) =>
            html`<label
              ><input type="checkbox" name=${name} value=${value} ?checked=${checked} />
              ${text}</label
            >`,
        )}
      </div>
    </div>`;
  }

  protected override renderExtraActions() {
    return cancelButton(this);
  }
}
