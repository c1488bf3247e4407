import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Ec2AccountSettings, Ec2Credential, OutboundPolicy } from '@glint/core';
import { listEc2Regions, regionNotEnabled, type Ec2Region } from '@glint/cloud-adapters';
import {
  accountNameConstraint,
  siteNameConstraint,
  type AccountRecord,
  type AccountType,
  type Repositories,
} from '@glint/store';
import type { AppOptions } from '../../app';
import { ApiError, notFound } from '../../errors';
import { siteAdapter, splitCredential } from '../../site-types';
import type { ProjectCaller } from '../../caller';
import { loginError } from './sites';
import { auditOwnChange, openCredential, storeCredential, writingNamed } from '../../site-writes';
import type { CreateAccountBody, UpdateAccountBody } from '../../schemas/accounts';

/** The one site type whose sites come as an account's regions. */
const accountType = 'ec2' satisfies AccountType;
const DEFAULT_REGION = 'us-east-1';
const siteName = (account: string, region: string) => `${account}/${region}`;

/** An account as the API shows it. */
export interface AccountView {
  id: string;
  type: AccountType;
  name: string;
  settings: Ec2AccountSettings;
  regions: Array<{ region: string; siteId: string; name: string }>;
  createdAt: string;
  updatedAt: string;
}

const view = (account: AccountRecord): AccountView => ({
  id: account.id,
  type: account.type,
  name: account.name,
  settings: account.config as Ec2AccountSettings,
  regions: account.sites.map(({ siteId, region, name }) => ({ siteId, region, name })),
  createdAt: account.createdAt,
  updatedAt: account.updatedAt,
});

/**
 * The caller's EC2 accounts. Each enabled region is a site of its own, with the account's settings
 * and its own sealed copy of the keys; the keys are checked live before anything is stored.
 */
export class AccountService {
  constructor(
    private readonly fastify: FastifyInstance,
    private readonly outbound: OutboundPolicy,
  ) {}

  async list(caller: ProjectCaller): Promise<AccountView[]> {
    return (await this.fastify.repositories.accounts.list(caller.ownerId)).map(view);
  }

  async get(caller: ProjectCaller, id: string): Promise<AccountView> {
    return view(await this.record(caller, id));
  }

  /** The account with every region AWS lists for it, asked live with its stored keys. */
  async detail(caller: ProjectCaller, id: string) {
    const account = await this.record(caller, id);
    const credential = await this.credentialOf(caller, account);
    const enabled = new Set(account.sites.map((s) => s.region));
    const available = await this.regions(account.config as Ec2AccountSettings, credential);
    return {
      ...view(account),
      availableRegions: available.map((r) => ({ ...r, enabled: enabled.has(r.region) })),
    };
  }

  async create(caller: ProjectCaller, body: CreateAccountBody): Promise<AccountView> {
    const settings = body.settings ?? {};
    const regions = body.regions ?? [DEFAULT_REGION];
    await this.checkNameFree(caller, body.name);
    await this.checkKeys(settings, regions[0]!, body.credential);
    await this.checkRegions(settings, body.credential, regions);
    const id = await this.writing(body.name, async (repositories) => {
      const accountId = await repositories.accounts.insert(caller.ownerId, {
        type: accountType,
        name: body.name,
        config: settings,
      });
      for (const region of regions)
        await this.addRegion(
          repositories,
          caller,
          accountId,
          body.name,
          settings,
          region,
          body.credential,
        );
      await auditOwnChange(
        repositories,
        caller,
        { type: 'account', id: accountId },
        'account.created',
        {
          name: body.name,
          regions,
        },
      );
      return accountId;
    });
    return this.get(caller, id);
  }

  async update(
    caller: ProjectCaller,
    id: string,
    changes: UpdateAccountBody,
  ): Promise<AccountView> {
    const account = await this.record(caller, id);
    const name = changes.name ?? account.name;
    const settings = (changes.settings ?? account.config) as Ec2AccountSettings;
    if (changes.name !== undefined) await this.checkNameFree(caller, changes.name, id);
    const credential = changes.credential ?? (await this.credentialOf(caller, account));
    const regions = changes.regions ?? account.sites.map((s) => s.region);
    if (changes.credential || changes.settings)
      await this.checkKeys(settings, regions[0]!, credential);
    const added = regions.filter((r) => !account.sites.some((s) => s.region === r));
    if (added.length > 0) await this.checkRegions(settings, credential, added);
    await this.writing(name, async (repositories) => {
      await repositories.accounts.update(caller.ownerId, id, {
        name: changes.name,
        config: changes.settings,
      });
      for (const site of account.sites) {
        if (!regions.includes(site.region)) {
          await repositories.sites.remove(caller.ownerId, site.siteId);
          continue;
        }
        await repositories.sites.update(caller.ownerId, site.siteId, {
          name: siteName(name, site.region),
          config: { ...settings, region: site.region },
        });
        if (changes.credential)
          await storeCredential(
            this.fastify,
            repositories,
            caller,
            { id: site.siteId, type: accountType },
            { ...changes.credential },
          );
      }
      for (const region of added)
        await this.addRegion(repositories, caller, id, name, settings, region, credential);
      await auditOwnChange(repositories, caller, { type: 'account', id }, 'account.updated', {
        changed: Object.keys(changes),
      });
      return id;
    });
    return this.get(caller, id);
  }

  async remove(caller: ProjectCaller, id: string): Promise<void> {
    await this.fastify.transaction(async (repositories) => {
      const account = await repositories.accounts.find(caller.ownerId, id);
      if (!account || !(await repositories.accounts.remove(caller.ownerId, id)))
        throw notFound('account', id);
      await auditOwnChange(repositories, caller, { type: 'account', id }, 'account.deleted', {
        name: account.name,
      });
    });
  }

  private async record(caller: ProjectCaller, id: string): Promise<AccountRecord> {
    const account = await this.fastify.repositories.accounts.find(caller.ownerId, id);
    if (!account) throw notFound('account', id);
    return account;
  }

  private async checkNameFree(
    caller: ProjectCaller,
    name: string,
    exceptId?: string,
  ): Promise<void> {
    if (await this.fastify.repositories.accounts.nameTaken(caller.ownerId, name, exceptId))
      throw nameTaken(name);
  }

  /** A live check of the keys (STS) in one region; nothing is stored when it fails. */
  private async checkKeys(
    settings: Ec2AccountSettings,
    region: string,
    credential: Ec2Credential,
  ): Promise<void> {
    const adapter = siteAdapter(
      accountType,
      { ...settings, region },
      { ...credential },
      this.outbound,
    );
    try {
      await adapter.validate();
    } catch (error) {
      throw loginError(error, splitCredential(accountType, { ...credential }).secrets);
    } finally {
      await adapter.close();
    }
  }

  private async regions(
    settings: Ec2AccountSettings,
    credential: Ec2Credential,
  ): Promise<Ec2Region[]> {
    try {
      return await listEc2Regions(
        { type: accountType, ...settings, region: DEFAULT_REGION },
        credential,
        this.outbound,
      );
    } catch (error) {
      throw loginError(error, splitCredential(accountType, { ...credential }).secrets);
    }
  }

  /** Fails unless AWS lists every region asked for and the account may use it. */
  private async checkRegions(
    settings: Ec2AccountSettings,
    credential: Ec2Credential,
    wanted: string[],
  ): Promise<void> {
    const available = await this.regions(settings, credential);
    const problems = wanted.flatMap((region) => {
      const known = available.find((r) => r.region === region);
      if (!known)
        return [
          `${region} is not a region AWS lists for this account: check the region code, or remove it from this account in Glint`,
        ];
      return known.usable
        ? []
        : [regionNotEnabled(region, `DescribeRegions lists it as ${known.optInStatus}`)];
    });
    if (problems.length > 0)
      throw new ApiError(422, 'region_not_available', problems.join('. '), {
        available: available.filter((r) => r.usable).map((r) => r.region),
      });
  }

  private async addRegion(
    repositories: Repositories,
    caller: ProjectCaller,
    accountId: string,
    accountName: string,
    settings: Ec2AccountSettings,
    region: string,
    credential: Ec2Credential,
  ): Promise<void> {
    const siteId = await repositories.sites.insert(caller.ownerId, {
      type: accountType,
      name: siteName(accountName, region),
      config: { ...settings, region },
      accountId,
    });
    await storeCredential(
      this.fastify,
      repositories,
      caller,
      { id: siteId, type: accountType },
      { ...credential },
    );
  }

  /** The keys, opened from any of the account's regions: all hold the same. */
  private credentialOf(caller: ProjectCaller, account: AccountRecord): Promise<Ec2Credential> {
    const missing = () =>
      new ApiError(
        409,
        'account_has_no_credential',
        `account ${account.id} has no keys stored: give them with PATCH /api/v1/accounts/${account.id}`,
      );
    const [site] = account.sites;
    if (!site) return Promise.reject(missing());
    return openCredential<Ec2Credential>(this.fastify, caller, site.siteId, missing);
  }

  /** Runs a change in a transaction; a name taken meanwhile (account or region site) is a 409. */
  private writing(
    name: string,
    change: (repositories: Repositories) => Promise<string>,
  ): Promise<string> {
    return writingNamed(
      this.fastify,
      [accountNameConstraint, siteNameConstraint],
      () => nameTaken(name),
      change,
    );
  }
}

function nameTaken(name: string): ApiError {
  return new ApiError(
    409,
    'account_name_taken',
    `you already have an account or site named ${name} (or ${name}/<region>): choose another name`,
  );
}

declare module 'fastify' {
  interface FastifyInstance {
    accounts: AccountService;
  }
}

export default fp<AppOptions>(
  async (fastify, opts) => {
    fastify.decorate('accounts', new AccountService(fastify, opts.config.outbound));
  },
  { name: 'accounts', dependencies: ['repositories', 'credential-vault'] },
);
