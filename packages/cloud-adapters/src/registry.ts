import {
  siteTypeNames,
  type CopyCapabilities,
  type ReleaseNamingFacts,
  type SiteType,
  type TSchema,
} from '@glint/core';
import type { AdapterContext, CloudAdapter } from './adapter';

/**
 * Site types, each described once by its adapter folder: how to make its adapter, which credential
 * fields are secrets, its configuration's defaults and what it can do. The API's schemas and
 * validation, the logs' redaction and the panel's forms read it here; callers ask by the site's
 * type and never branch on it themselves.
 */
export type AdapterFactory<Config = unknown, Credential = unknown> = (
  config: Config,
  credential: Credential,
  context: AdapterContext,
) => CloudAdapter;

/** A credential in its type's terms, `kind` included. */
export type AnyCredential = { kind: string } & Record<string, unknown>;

/** One kind of credential a site type takes (its `kind` field), and how a form asks for it. */
export interface CredentialKind {
  /** The credential's JSON schema as the API takes it, `kind` included. */
  schema: TSchema;
  /** Fields holding secrets, the one a login uses first: stored only sealed, never shown. */
  secretFields: readonly [string, ...string[]];
  /** The field naming who logs in, and what a form calls it and the secret. */
  form: { loginField: string; loginLabel: string; secretLabel: string };
}

/** What a site type can do; the planner reads how its images can be copied (CopyCapabilities). */
export interface SiteTypeCapabilities extends CopyCapabilities {
  /** An upload cut short resumes under the same image id (see CloudAdapter.resumableUploads). */
  resumableUploads: boolean;
  /** After its data arrives an image goes through an import stage with its own progress. */
  importStage: boolean;
  /** How its sites carry a release family's stable name (CloudAdapter.releaseNaming); null: they cannot. */
  releaseNaming: ReleaseNamingFacts | null;
}

/** What a site type's folder declares about it; free of Node-only code. */
export interface SiteTypeFacts<
  Config = Record<string, unknown>,
  ConfigSchema extends TSchema = TSchema,
> {
  type: SiteType;
  /** The type's name for people, e.g. "OpenStack". */
  label: string;
  credentialKinds: Readonly<Record<string, CredentialKind>>;
  /** The configuration's JSON schema as the API takes and shows it (without `type`). */
  configSchema: ConfigSchema;
  /** Filled into a configuration that leaves them out. */
  configDefaults: Partial<Config>;
  /**
   * A site of this type is added on its own, with its configuration and credential, or only as a
   * region of an account (EC2), whose routes add and change it.
   */
  addedAs: 'site' | 'account region';
  capabilities: SiteTypeCapabilities;
  /** Who logs in, for people, from the credential without its secrets and the site's configuration. */
  loginOf(principal: AnyCredential, config: Record<string, unknown>): string;
}

export interface SiteTypeDescriptor<
  Config = unknown,
  Credential = unknown,
> extends SiteTypeFacts<Config> {
  create: AdapterFactory<Config, Credential>;
}

/** A registered site type, with what follows from its facts. */
export interface SiteTypeEntry extends SiteTypeDescriptor {
  /** Every credential field of any of its kinds that holds a secret. */
  secretFields: readonly string[];
  /** The secret a login uses first (a password, an application credential's secret, a secret key). */
  secretOf(credential: AnyCredential): string | undefined;
  /** The credential split into who logs in, which may be shown, and its secrets, which may not. */
  splitCredential(credential: AnyCredential): {
    principal: Record<string, unknown>;
    secrets: string[];
  };
}

const entries = new Map<string, SiteTypeEntry>();

function entryFor(descriptor: SiteTypeDescriptor): SiteTypeEntry {
  const kinds = Object.values(descriptor.credentialKinds);
  const secretFields = [...new Set(kinds.flatMap((kind) => kind.secretFields))];
  return {
    ...descriptor,
    secretFields,
    secretOf(credential) {
      const field = descriptor.credentialKinds[credential.kind]?.secretFields[0];
      const secret = field === undefined ? undefined : credential[field];
      return typeof secret === 'string' ? secret : undefined;
    },
    splitCredential(credential) {
      const principal: Record<string, unknown> = {};
      const secrets: string[] = [];
      for (const [field, value] of Object.entries(credential)) {
        if (field === 'kind') continue;
        if (!secretFields.includes(field)) principal[field] = value;
        else if (typeof value === 'string' && value !== '') secrets.push(value);
      }
      return { principal, secrets };
    },
  };
}

export function registerSiteType<Config, Credential>(
  descriptor: SiteTypeDescriptor<Config, Credential>,
): void {
  if (!(siteTypeNames as readonly string[]).includes(descriptor.type))
    throw new Error(`site type "${descriptor.type}" is not one of @glint/core's siteTypeNames`);
  if (entries.has(descriptor.type))
    throw new Error(`site type "${descriptor.type}" is already registered`);
  entries.set(descriptor.type, entryFor(descriptor as unknown as SiteTypeDescriptor));
}

/** The registered site type, or undefined for a type no adapter folder declares. */
export function findSiteType(type: string): SiteTypeEntry | undefined {
  return entries.get(type);
}

export function siteType(type: string): SiteTypeEntry {
  const entry = entries.get(type);
  if (!entry) {
    const known = [...entries.keys()].join(', ') || 'none';
    throw new Error(`no adapter is registered for site type "${type}" (registered: ${known})`);
  }
  return entry;
}

export function siteTypes(): SiteTypeEntry[] {
  return [...entries.values()];
}

/** How a site type's images can be copied, as the planner asks. */
export const copyCapabilities = (type: SiteType): CopyCapabilities => siteType(type).capabilities;

/** How a site type carries a release's stable name, as the release orchestrator asks; null: it cannot. */
export const releaseNamingFacts = (type: SiteType): ReleaseNamingFacts | null =>
  siteType(type).capabilities.releaseNaming;

/** Every credential field that holds a secret, of any site type: what logs must never show. */
export function siteSecretFields(): string[] {
  return [...new Set(siteTypes().flatMap((entry) => entry.secretFields))];
}

export function createAdapter(
  type: SiteType,
  config: unknown,
  credential: unknown,
  context: AdapterContext,
): CloudAdapter {
  return siteType(type).create(config, credential, context);
}
