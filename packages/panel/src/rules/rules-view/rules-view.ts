import { html, nothing } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { GlintEvent } from '@glint/core';
import { selectorText } from '@glint/core/client';
import type { RemovalPlan, Rule, SavedRule, Site, SiteTypeList } from '@glint/api/replies';
import { dataTable } from '../../data-table';
import { LiveView } from '../../live-view';
import { refusal } from '../../roles';
import { rulePlanView } from '../rule-plan/rule-plan';
import { rulesViewStyles } from './styles';

/** The row being edited: a rule's name, or '' for a new rule. */
type Editing = string | null;

/**
 * The Rules view: the project's standing rules ("these images belong on those sites"), with what
 * each selects; admins create and edit them (with a live preview of what they imply) and remove
 * them, seeing first what the removal deletes. A `rules` event reads them again.
 */
export class GlintRulesView extends LiveView {
  static override styles = rulesViewStyles;

  static override properties = {
    ...LiveView.properties,
    rules: { state: true },
    sites: { state: true },
    siteTypes: { state: true },
    editing: { state: true },
    removing: { state: true },
    notice: { state: true },
  };

  declare rules: Rule[] | null;
  declare sites: Site[];
  declare siteTypes: string[];
  declare editing: Editing;
  /** The rule asked to be removed, with what its removal does. */
  declare removing: { name: string; plan: RemovalPlan } | null;
  declare notice: string | null;

  constructor() {
    super();
    this.rules = null;
    this.sites = [];
    this.siteTypes = [];
    this.editing = null;
    this.removing = null;
    this.notice = null;
  }

  protected eventArrived(event: GlintEvent): void {
    // Rules changed (here or elsewhere); or sites came and went, which the selectors name.
    if (event.type === 'rules' || (event.type === 'cells' && !event.imageIds)) void this.load();
  }

  protected async load() {
    try {
      const [rules, sites, types] = await Promise.all([
        this.client.get<{ rules: Rule[] }>('/rules'),
        this.client.get<{ sites: Site[] }>('/sites'),
        this.client.get<SiteTypeList>('/site-types'),
      ]);
      this.rules = rules.rules;
      this.sites = sites.sites;
      this.siteTypes = types.siteTypes.map((type) => type.type);
    } catch (error) {
      this.fail(error);
    }
  }

  private siteName = (id: string) => this.sites.find((site) => site.id === id)?.name ?? id;

  private ruleSaved(event: CustomEvent<SavedRule>) {
    const { rule, created, plan } = event.detail;
    this.editing = null;
    this.notice =
      `${created ? 'Created' : 'Saved'} rule ${rule.name}: ${plan.copies.length} ` +
      `cop${plan.copies.length === 1 ? 'y' : 'ies'} and ${plan.deletes.length} ` +
      `delete${plan.deletes.length === 1 ? '' : 's'} queued as Glint reconciles.`;
    void this.load();
  }

  /** Asks what removing the rule does, which the confirmation shows. */
  private async askRemove(name: string) {
    try {
      const plan = await this.client.get<RemovalPlan>(
        `/rules/${encodeURIComponent(name)}/removal-plan`,
      );
      this.removing = { name, plan };
    } catch (error) {
      this.fail(error);
    }
  }

  private async removeRule({ name, plan }: { name: string; plan: RemovalPlan }) {
    const confirm = plan.deletes.length > 0 ? '?confirm=true' : '';
    try {
      await this.client.delete(`/rules/${encodeURIComponent(name)}${confirm}`);
      this.removing = null;
      this.notice = `Removed rule ${name}.`;
      await this.load();
    } catch (error) {
      this.fail(error);
    }
  }

  private renderForm(rule: Rule | null) {
    return html`<glint-rule-form
      .client=${this.client}
      .rule=${rule}
      .sites=${this.sites}
      .siteTypes=${this.siteTypes}
      @rule-saved=${this.ruleSaved}
      @edit-cancelled=${() => (this.editing = null)}
    ></glint-rule-form>`;
  }

  private renderRule(rule: Rule) {
    if (this.editing === rule.name)
      return html`<tr class="editing">
        <td colspan="5">${this.renderForm(rule)}</td>
      </tr>`;
    const refused = refusal(this.role, 'rules');
    return html`<tr data-rule=${rule.name}>
        <th scope="row">
          ${rule.name}
          ${rule.description ? html`<small class="description">${rule.description}</small>` : nothing}
        </th>
        <td>${selectorText(rule.images)}</td>
        <td>${selectorText(rule.sites, this.siteName)}</td>
        <td>${rule.prune ? 'yes' : 'no'}</td>
        <td class="actions">
          <button
            class="edit"
            ?disabled=${refused !== undefined}
            title=${ifDefined(refused)}
            @click=${() => (this.editing = rule.name)}
          >
            Edit
          </button>
          <button
            class="remove"
            ?disabled=${refused !== undefined}
            title=${ifDefined(refused)}
            @click=${() => this.askRemove(rule.name)}
          >
            Remove
          </button>
        </td>
      </tr>
      ${this.removing?.name === rule.name ? this.renderRemoval(this.removing) : nothing}`;
  }

  /** What removing the rule does, and the choice to go on or keep it. */
  private renderRemoval(removing: { name: string; plan: RemovalPlan }) {
    const { name, plan } = removing;
    return html`<tr class="confirm">
      <td colspan="5" role="alert">
        <div class="confirm-text">
          <p>Remove rule <b>${name}</b>? ${removalWords(plan)}</p>
          ${plan.deletes.length > 0 ? rulePlanView(plan, '') : nothing}
          <button class="confirm-remove danger" @click=${() => this.removeRule(removing)}>
            ${plan.deletes.length > 0 ? `Remove ${name} and delete its copies` : `Remove ${name}`}
          </button>
          <button class="keep" @click=${() => (this.removing = null)}>Keep it</button>
        </div>
      </td>
    </tr>`;
  }

  override render() {
    const refused = refusal(this.role, 'rules');
    return html`<div class="toolbar">
        <h2>Rules</h2>
        <button
          class="add primary"
          ?disabled=${refused !== undefined}
          title=${ifDefined(refused)}
          @click=${() => (this.editing = this.editing === '' ? null : '')}
        >
          ${this.editing === '' ? 'Close' : 'New rule'}
        </button>
      </div>
      <p class="intro">
        A rule keeps the images it selects on the sites it selects, as images and sites come and go.
        A cell ticked or cleared by hand in the matrix overrides the rules for that image and site.
      </p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : nothing}
      ${this.editing === '' ? html`<div class="new">${this.renderForm(null)}</div>` : nothing}
      ${
        this.rules === null
          ? html`<p>Loading…</p>`
          : this.rules.length === 0
            ? html`<p class="empty">No rules yet.</p>`
            : dataTable(
                ['Rule', 'Images', 'Sites', 'Prune', ''],
                this.rules.map((rule) => this.renderRule(rule)),
              )
      }`;
  }
}

/** What a removal does, in the panel's words (the API's note speaks to API clients). */
function removalWords(plan: RemovalPlan): string {
  if (plan.deletes.length > 0)
    return 'It prunes: these copies it placed, which nothing else wants, are deleted with it.';
  if (plan.prune) return 'It prunes, but nothing it placed would be deleted now.';
  return 'It does not prune: the copies it placed stay, no longer wanted by it.';
}
