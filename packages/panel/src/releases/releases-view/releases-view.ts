import { html, nothing } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { GlintEvent } from '@glint/core';
import { LiveView } from '../../live-view';
import { refusal } from '../../roles';
import { ApiError } from '@glint/core/client';
import { followed } from '../followed';
import type {
  FamilyDetails,
  ReleaseFamilies,
  ReleasePlan,
  ReleasePlanAction,
  ReleaseVersion,
} from '@glint/api/replies';
import { siteStrip } from '../site-strip';
import { waveProgress } from '../wave-progress';
import { releasesViewStyles } from './styles';

/** When a version was published, to the minute: a family may publish more than once a day. */
const publishedText = (iso: string) =>
  `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

const done = {
  promote: 'Promoted',
  halt: 'Halted',
  resume: 'Resumed',
  rollback: 'Rolled back',
  'next-wave': 'Started the next wave of',
};

/**
 * An action waiting for the user's word: the family, the request that carries it out, a promote's
 * version, and the API's plan of it (null while asked for) or why the API refuses it.
 */
interface Pending {
  familyId: string;
  action: ReleasePlanAction;
  path: string;
  body: Record<string, string> | undefined;
  version?: ReleaseVersion;
  plan: ReleasePlan | null;
  refusal: string | null;
}

const paths: Record<ReleasePlanAction, string> = {
  promote: 'promote',
  rollback: 'rollback',
  halt: 'halt',
  resume: 'resume',
  'next-wave': 'waves/next',
};

/** The channels a version may be promoted to: the family's, and the usual ones. */
const channelChoices = (details: FamilyDetails) => [
  ...new Set([
    details.family.follows,
    ...details.channels.map((c) => c.name),
    'stable',
    'candidate',
  ]),
];

/**
 * The Releases view: each family a row with its versions on a D3 timeline, the rollout's waves,
 * and per version the strip of its sites' states. Members and admins promote, halt, resume and
 * roll back, each after a plan of what changes on which site; for readers these stay in view,
 * disabled, saying which role they need. Release events
 * read the family they name again; cell events (copies that landed or went) read them all.
 */
export class GlintReleasesView extends LiveView {
  static override properties = {
    ...LiveView.properties,
    families: { state: true },
    selected: { state: true },
    pending: { state: true },
    busy: { state: true },
    notice: { state: true },
  };

  declare families: FamilyDetails[] | null;
  /** The version shown in detail per family id; the followed one when none is chosen. */
  declare selected: Record<string, string>;
  declare pending: Pending | null;
  declare busy: boolean;
  declare notice: string | null;

  constructor() {
    super();
    this.families = null;
    this.selected = {};
    this.pending = null;
    this.busy = false;
    this.notice = null;
  }

  /** Why the caller may not move a rollout (the title of the disabled actions); undefined if they may. */
  private get refused(): string | undefined {
    return refusal(this.role, 'releases');
  }

  protected eventArrived(event: GlintEvent): void {
    if (event.type === 'release') {
      const known = this.families?.some((f) => f.family.id === event.familyId);
      void (known ? this.reloadFamily(event.familyId) : this.load());
    } else if (event.type === 'cells' && (this.families?.length ?? 0) > 0) void this.load();
  }

  /** Loads may overlap (events in a burst): only the latest one's reply shows. */
  private loads = 0;

  protected async load() {
    const load = ++this.loads;
    try {
      const list = await this.client.get<ReleaseFamilies>('/releases');
      const details = await Promise.all(
        list.families.map((f) => this.client.get<FamilyDetails>(`/releases/${f.id}`)),
      );
      if (load !== this.loads) return;
      this.families = details;
      this.error = null;
    } catch (error) {
      this.fail(error);
    }
  }

  private async reloadFamily(id: string) {
    try {
      this.replace(await this.client.get<FamilyDetails>(`/releases/${id}`));
    } catch (error) {
      this.fail(error);
    }
  }

  private replace(details: FamilyDetails) {
    this.families = (this.families ?? []).map((f) =>
      f.family.id === details.family.id ? details : f,
    );
  }

  /** Opens an action's review and asks the API for its plan. */
  private review(
    details: FamilyDetails,
    action: ReleasePlanAction,
    body?: Record<string, string>,
    version?: ReleaseVersion,
  ) {
    this.notice = null;
    this.pending = {
      familyId: details.family.id,
      action,
      path: `/releases/${encodeURIComponent(details.family.name)}/${paths[action]}`,
      body,
      ...(version && { version }),
      plan: null,
      refusal: null,
    };
    void this.askPlan(this.pending);
  }

  /** Plans may be asked for one after another (a promote's channel changed): only the latest shows. */
  private asks = 0;

  /** The API's plan of `pending`; a refusal (4xx) is the plan's answer, shown in the review. */
  private async askPlan(pending: Pending) {
    const ask = ++this.asks;
    let answer: Pick<Pending, 'plan' | 'refusal'>;
    try {
      answer = {
        plan: await this.client.post<ReleasePlan>(`${pending.path}/plan`, pending.body),
        refusal: null,
      };
    } catch (error) {
      if (!(error instanceof ApiError) || error.status < 400 || error.status === 401)
        return this.fail(error);
      answer = { plan: null, refusal: error.message };
    }
    if (ask === this.asks && this.pending) this.pending = { ...this.pending, ...answer };
  }

  private async confirm() {
    if (!this.pending?.plan) return;
    const { plan, path, body, action } = this.pending;
    this.busy = true;
    try {
      const details = await this.client.post<FamilyDetails>(path, body);
      this.replace(details);
      this.notice = `${done[action]} ${details.family.name}. ${plan.summary}`;
      this.pending = null;
      this.error = null;
    } catch (error) {
      this.fail(error);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    return html`<div class="toolbar"><h2>Releases</h2></div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : nothing}
      ${
        this.families === null
          ? html`<p>Loading…</p>`
          : this.families.length === 0
            ? html`<p class="empty">No release family yet: make one with glint release.</p>`
            : this.families.map((details) => this.renderFamily(details))
      }`;
  }

  private renderFamily(details: FamilyDetails) {
    const { family, versions } = details;
    const current = followed(details);
    const shown = versions.find((v) => v.id === this.selected[family.id]) ?? current ?? versions[0];
    return html`<article class="family" data-family=${family.name}>
      <header>
        <h3>${family.name}</h3>
        <span class="stable-name">“${family.stableName}” follows ${family.follows}</span>
        ${this.renderControls(details, current)}
      </header>
      <glint-release-timeline
        .versions=${versions}
        .followed=${current?.id ?? null}
        .selected=${shown?.id ?? null}
        label="Versions of ${family.name}"
        @version-selected=${(e: CustomEvent<string>) => this.choose(family.id, e.detail)}
      ></glint-release-timeline>
      ${current ? waveProgress(details, current) : nothing}
      <ul class="versions">
        ${versions.map((v) => this.renderVersion(details, v, v.id === shown?.id, current))}
      </ul>
      ${this.pending?.familyId === family.id ? this.renderPending(details, this.pending) : nothing}
    </article>`;
  }

  /** The plan waiting for a word, with what the action asks first: a promote's channel, a halt's reason. */
  private renderPending(details: FamilyDetails, pending: Pending) {
    return html`${pending.version ? this.renderChannelChoice(details, pending, pending.version) : nothing}
      ${
        pending.action === 'halt'
          ? html`<label class="reason"
              >Reason (optional)
              <input
                name="reason"
                maxlength="500"
                @input=${(event: Event) => {
                  const reason = (event.target as HTMLInputElement).value.trim();
                  const body: Record<string, string> = reason ? { reason } : {};
                  // The reason is words for people: the plan stays as it is.
                  this.pending = { ...pending, body };
                }}
            /></label>`
          : nothing
      }
      <glint-release-plan-review
        .action=${pending.action}
        .plan=${pending.plan}
        .refusal=${pending.refusal}
        ?busy=${this.busy}
        @confirm=${this.confirm}
        @cancel=${() => (this.pending = null)}
      ></glint-release-plan-review>`;
  }

  /** A promote's channel: choosing another asks for its plan. */
  private renderChannelChoice(details: FamilyDetails, pending: Pending, version: ReleaseVersion) {
    const choose = (event: Event) =>
      this.promote(details, version, (event.target as HTMLSelectElement).value);
    return html`<label class="channel"
      >Promote ${version.version} to channel
      <select name="channel" @change=${choose}>
        ${channelChoices(details).map(
          (c) => html`<option ?selected=${c === pending.body?.channel}>${c}</option>`,
        )}
      </select></label
    >`;
  }

  private promote(details: FamilyDetails, version: ReleaseVersion, channel: string) {
    this.review(details, 'promote', { version: version.version, channel }, version);
  }

  private choose(familyId: string, versionId: string) {
    this.selected = { ...this.selected, [familyId]: versionId };
  }

  /** Without a version yet, Halt and Roll back still show: their plans say why there is nothing to do. */
  private renderControls(details: FamilyDetails, current: ReleaseVersion | null) {
    const halted = current !== null && current.haltedReason !== null;
    const waiting =
      current !== null && details.family.manualWaves && current.wave < details.waves.length - 1;
    return html`<div class="controls">
      ${
        waiting
          ? html`<button
              class="next-wave"
              ?disabled=${this.refused !== undefined}
              title=${ifDefined(this.refused)}
              @click=${() => this.review(details, 'next-wave')}
            >
              Start wave ${current!.wave + 2}…
            </button>`
          : nothing
      }
      ${
        halted
          ? html`<button
              class="resume"
              ?disabled=${this.refused !== undefined}
              title=${ifDefined(this.refused)}
              @click=${() => this.review(details, 'resume')}
            >
              Resume…
            </button>`
          : html`<button
              class="halt"
              ?disabled=${this.refused !== undefined}
              title=${ifDefined(this.refused)}
              @click=${() => this.review(details, 'halt', {})}
            >
              Halt…
            </button>`
      }
      <button
        class="rollback"
        ?disabled=${this.refused !== undefined}
        title=${ifDefined(this.refused)}
        @click=${() => this.review(details, 'rollback', { channel: details.family.follows })}
      >
        Roll back…
      </button>
    </div>`;
  }

  private renderVersion(
    details: FamilyDetails,
    version: ReleaseVersion,
    open: boolean,
    current: ReleaseVersion | null,
  ) {
    const channels = version.channels.length > 0 ? version.channels.join(', ') : '';
    const promotable = version.id !== current?.id && version.retiredAt === null;
    return html`<li class="version" data-version=${version.version} data-open=${open}>
      <button
        class="show"
        aria-expanded=${open ? 'true' : 'false'}
        @click=${() => this.choose(details.family.id, version.id)}
      >
        ${version.version}
      </button>
      <span class="published">${publishedText(version.publishedAt)}</span>
      ${channels ? html`<span class="channels">${channels}</span>` : nothing}
      ${version.retiredAt ? html`<span class="retired">retired</span>` : nothing}
      ${
        promotable
          ? html`<button
              class="promote"
              ?disabled=${this.refused !== undefined}
              title=${ifDefined(this.refused)}
              @click=${() => this.promote(details, version, details.family.follows)}
            >
              Promote…
            </button>`
          : nothing
      }
      ${open ? siteStrip(version) : nothing}
    </li>`;
  }

  static override styles = releasesViewStyles;
}
