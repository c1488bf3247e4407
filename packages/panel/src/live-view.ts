import { LitElement } from 'lit';
import type { ApiClient } from './api-client';
import type { GlintEvent } from '@glint/core';
import type { Role } from './roles';
import { failureText } from './view-failure';

/**
 * A view of the panel that follows the shared event stream: it loads when connected, hears each
 * event while connected, and loads again after the stream reconnected (events sent meanwhile are
 * lost). Failed requests show as its `error`, a 401 goes up as `session-ended`.
 */
export abstract class LiveView extends LitElement {
  static override properties = {
    client: { attribute: false },
    events: { attribute: false },
    role: { attribute: false },
    error: { state: true },
  };

  declare client: ApiClient;
  declare events: EventTarget;
  /** The caller's role in the project, which decides the actions offered (roles.ts). */
  declare role: Role;
  declare error: string | null;

  protected abstract load(): Promise<void>;
  /** What an event means for the view: usually, reading again what it names. */
  protected abstract eventArrived(event: GlintEvent): void;

  constructor() {
    super();
    this.error = null;
    this.role = null;
  }

  private readonly onEvent = (event: Event) =>
    this.eventArrived((event as CustomEvent<GlintEvent>).detail);
  private readonly onReconnect = () => void this.load();

  override connectedCallback(): void {
    super.connectedCallback();
    this.events.addEventListener('glint-event', this.onEvent);
    this.events.addEventListener('reconnect', this.onReconnect);
    void this.firstLoad();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.events.removeEventListener('glint-event', this.onEvent);
    this.events.removeEventListener('reconnect', this.onReconnect);
  }

  protected firstLoad(): Promise<void> {
    return this.load();
  }

  protected fail(error: unknown): void {
    this.error = failureText(this, error);
  }
}
