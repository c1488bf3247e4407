import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { labelProblems, redactSecrets, type OutboundPolicy, type SiteType } from '@glint/core';
import {
  isCloudError,
  type CloudAdapter,
  type CloudErrorCode,
  type HealthReport,
} from '@glint/cloud-adapters';
import type { AppOptions } from '../../app';
import { ApiError, notFound } from '../../errors';
import {
  siteAdapter,
  siteTypeOf,
  splitCredential,
  withDefaults,
  type SiteConfig,
  type SiteCredential,
  type SiteDraft,
} from '../../site-types';
import type { ProjectCaller } from '../../caller';
import { auditOwnChange, openCredential, storeCredential, writingNamed } from '../../site-writes';
import type { Static } from '@fastify/type-provider-typebox';
import {
  siteNameConstraint,
  type Repositories,
  type SelfHeal,
  type SiteRecord as StoredSite,
} from '@glint/store';
import type { Site } from '../../schemas/sites';

export interface SiteChanges {
  name?: string;
  selfHeal?: SelfHeal;
  /** Replaces the whole label map. */
  labels?: Record<string, string>;
  config?: SiteConfig;
  credential?: SiteCredential;
}

/** Why a site's live login failed, as the status and code the client gets; the adapter's message goes with it. */
const loginFailures: Partial<Record<CloudErrorCode, { status: number; code: string }>> = {
  authentication: { status: 422, code: 'site_login_rejected' },
  permission: { status: 422, code: 'site_permission_denied' },
  unreachable: { status: 422, code: 'site_unreachable' },
  address_refused: { status: 400, code: 'site_address_refused' },
  no_image_service: { status: 422, code: 'site_has_no_image_service' },
  not_found: { status: 422, code: 'site_auth_url_wrong' },
  invalid: { status: 400, code: 'invalid_site_settings' },
};

export function loginError(error: unknown, secrets: string[]): unknown {
  if (!isCloudError(error)) return error;
  const failure = loginFailures[error.code] ?? { status: 502, code: 'site_login_failed' };
  // Adapters keep secrets out of their messages already; this is the second lock on that door.
  return new ApiError(failure.status, failure.code, redactSecrets(error.message, secrets));
}

/**
 * The caller's sites. A credential is only ever stored after a live login with it succeeded, and
 * every change is recorded in the audit trail in the same transaction.
 */
/**
 * A site as the API shows it. The store keeps the configuration as an opaque document; every
 * configuration in it passed this schema on its way in.
 */
export type SiteRecord = Static<typeof Site>;

export class SiteService {
  constructor(
    private readonly fastify: FastifyInstance,
    private readonly outbound: OutboundPolicy,
  ) {}

  async list(caller: ProjectCaller): Promise<SiteRecord[]> {
    return (await this.fastify.repositories.sites.list(caller.ownerId)).map(siteRecordOf);
  }

  async get(caller: ProjectCaller, id: string): Promise<SiteRecord> {
    const site = await this.fastify.repositories.sites.find(caller.ownerId, id);
    if (!site) throw notFound('site', id);
    return siteRecordOf(site);
  }

  async create(
    caller: ProjectCaller,
    draft: SiteDraft & { labels?: Record<string, string> },
  ): Promise<SiteRecord> {
    checkLabels(draft.labels);
    await this.checkNameFree(caller, draft.name);
    const config = withDefaults(draft.type, draft.config);
    await this.checkLogin(draft.type, config, draft.credential);
    const site = await this.writing(caller, draft.name, async (repositories) => {
      const id = await repositories.sites.insert(caller.ownerId, {
        type: draft.type,
        name: draft.name,
        config,
        labels: draft.labels,
      });
      await storeCredential(
        this.fastify,
        repositories,
        caller,
        { id, type: draft.type },
        draft.credential,
      );
      await auditOwnChange(repositories, caller, { type: 'site', id }, 'site.created', {
        name: draft.name,
        type: draft.type,
      });
      return id;
    });
    // Rules may want images on it: placed at once, so the matrix says so; copied by the reconcile
    // that follows its first inventory (due at once, taken by the daemons' schedule within 30 s),
    // since what it already holds must be known first.
    await this.fastify.rules.reevaluate(caller, false);
    return site;
  }

  async update(caller: ProjectCaller, id: string, changes: SiteChanges): Promise<SiteRecord> {
    checkLabels(changes.labels);
    const site = await this.get(caller, id);
    if (site.account && (changes.name ?? changes.config ?? changes.credential) !== undefined)
      throw ownedByAccount(
        site.account,
        'its name, settings and keys are the account’s: change them',
      );
    if (changes.name !== undefined) await this.checkNameFree(caller, changes.name, id);
    const config = changes.config && withDefaults(site.type, changes.config);
    if (config || changes.credential) {
      await this.checkLogin(
        site.type,
        config ?? site.config,
        changes.credential ?? (await this.credentialOf(caller, site)),
      );
    }
    const updated = await this.writing(caller, changes.name ?? site.name, async (repositories) => {
      await repositories.sites.update(caller.ownerId, id, {
        name: changes.name,
        config,
        selfHeal: changes.selfHeal,
        labels: changes.labels,
      });
      if (changes.credential)
        await storeCredential(this.fastify, repositories, caller, site, changes.credential);
      else if (config) await repositories.credentials.markValidated(caller.ownerId, id);
      await auditOwnChange(repositories, caller, { type: 'site', id }, 'site.updated', {
        changed: Object.keys(changes).filter(
          (key) => changes[key as keyof SiteChanges] !== undefined,
        ),
      });
      return id;
    });
    if (changes.labels) await this.fastify.rules.reevaluate(caller);
    return updated;
  }

  async remove(caller: ProjectCaller, id: string): Promise<void> {
    await this.fastify.transaction(async (repositories) => {
      const site = await repositories.sites.find(caller.ownerId, id);
      if (site?.account)
        throw ownedByAccount(site.account, 'disable its region instead, in the account’s regions');
      if (!site || !(await repositories.sites.remove(caller.ownerId, id)))
        throw notFound('site', id);
      await auditOwnChange(repositories, caller, { type: 'site', id }, 'site.deleted', {
        name: site.name,
        type: site.type,
      });
    });
  }

  /** An adapter for the caller's site, logged in with its stored credential; close it when done. */
  async openAdapter(caller: ProjectCaller, id: string): Promise<CloudAdapter> {
    const site = await this.get(caller, id);
    return siteAdapter(
      site.type,
      site.config,
      await this.credentialOf(caller, site),
      this.outbound,
    );
  }

  /** A live check of the site with the stored credential; a failing site is a report, not an error. */
  async health(caller: ProjectCaller, id: string): Promise<HealthReport> {
    const site = await this.get(caller, id);
    return this.withAdapter(
      site.type,
      site.config,
      await this.credentialOf(caller, site),
      (adapter) => adapter.health(),
    );
  }

  private async checkNameFree(
    caller: ProjectCaller,
    name: string,
    exceptId?: string,
  ): Promise<void> {
    if (await this.fastify.repositories.sites.nameTaken(caller.ownerId, name, exceptId))
      throw nameTaken(name);
  }

  private async checkLogin(
    type: SiteType,
    config: SiteConfig,
    credential: SiteCredential,
  ): Promise<void> {
    try {
      await this.withAdapter(type, config, credential, (adapter) => adapter.validate());
    } catch (error) {
      throw loginError(error, splitCredential(type, credential).secrets);
    }
  }

  private async withAdapter<T>(
    type: SiteType,
    config: SiteConfig,
    credential: SiteCredential,
    use: (adapter: CloudAdapter) => Promise<T>,
  ): Promise<T> {
    const adapter = siteAdapter(type, config, credential, this.outbound);
    try {
      return await use(adapter);
    } finally {
      await adapter.close();
    }
  }

  private credentialOf(
    caller: ProjectCaller,
    site: Pick<SiteRecord, 'id'>,
  ): Promise<SiteCredential> {
    return openCredential(
      this.fastify,
      caller,
      site.id,
      () =>
        new ApiError(
          409,
          'site_has_no_credential',
          `site ${site.id} has no credential: give it one with PATCH /api/v1/sites/${site.id}`,
        ),
    );
  }

  /** Runs a change in a transaction and returns the site as it then is; a name taken meanwhile is a 409. */
  private async writing(
    caller: ProjectCaller,
    name: string,
    change: (repositories: Repositories) => Promise<string>,
  ): Promise<SiteRecord> {
    const id = await writingNamed(
      this.fastify,
      [siteNameConstraint],
      () => nameTaken(name),
      change,
    );
    return this.get(caller, id);
  }
}

/** The stored site as the API shows it, who logs in worded by its type. */
export function siteRecordOf(site: StoredSite): SiteRecord {
  const { credential } = site;
  if (!credential) return site as SiteRecord;
  const login = siteTypeOf(site.type).loginOf(credential, site.config);
  return { ...site, credential: { ...credential, login } } as SiteRecord;
}

/** Labels that are not Kubernetes-like are a 400 naming each problem. */
function checkLabels(labels: Record<string, string> | undefined): void {
  const problems = labelProblems(labels ?? {});
  if (problems.length > 0)
    throw new ApiError(400, 'invalid_labels', `labels: ${problems.join('; ')}`, problems);
}

/** A change to a site that only its account may make. */
function ownedByAccount(account: { id: string; name: string }, advice: string): ApiError {
  return new ApiError(
    400,
    'site_belongs_to_account',
    `this site is a region of the account ${account.name}; ${advice} with PATCH /api/v1/accounts/${account.id}`,
  );
}

function nameTaken(name: string): ApiError {
  return new ApiError(
    409,
    'site_name_taken',
    `you already have a site named ${name}: choose another name`,
  );
}

declare module 'fastify' {
  interface FastifyInstance {
    sites: SiteService;
  }
}

export default fp<AppOptions>(
  async (fastify, opts) => {
    fastify.decorate('sites', new SiteService(fastify, opts.config.outbound));
  },
  { name: 'sites', dependencies: ['repositories', 'credential-vault', 'rules'] },
);
