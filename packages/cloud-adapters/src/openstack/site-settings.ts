import type { EndpointInterface, OpenStackSiteConfig } from '@glint/core';
import { ConfigFileError, type ConfigFileLocation } from './config-file-error';
import { normaliseAuthUrl } from './keystone';

/** What openrc files and clouds.yaml both say about a site, by meaning rather than by spelling. */
export interface OpenStackSettings {
  authUrl?: string;
  authType?: string;
  identityApiVersion?: string;
  username?: string;
  userId?: string;
  password?: string;
  projectName?: string;
  projectId?: string;
  userDomainName?: string;
  userDomainId?: string;
  projectDomainName?: string;
  projectDomainId?: string;
  /** The default for both the user's and the project's domain. */
  domainName?: string;
  domainId?: string;
  applicationCredentialId?: string;
  applicationCredentialName?: string;
  applicationCredentialSecret?: string;
  region?: string;
  interface?: string;
  cacert?: string;
  insecure?: boolean;
}

export type SettingName = keyof OpenStackSettings;

/** A credential as far as a file gives it; the secret is often kept out of the file. */
export type PartialOpenStackCredential =
  | { kind: 'password'; username?: string; userId?: string; password?: string }
  | {
      kind: 'application_credential';
      id?: string;
      name?: string;
      username?: string;
      userId?: string;
      secret?: string;
    };

export interface ParsedSiteFile {
  config: OpenStackSiteConfig;
  credential: PartialOpenStackCredential;
  /** The CA bundle file the site names, for the caller to read into `config.caBundle`. */
  caBundlePath?: string;
  warnings: string[];
}

/** How a file spells and places its settings, so problems can be reported in its own terms. */
export interface SettingsSource {
  /** E.g. `OS_AUTH_URL`, or `clouds.mycloud.auth.auth_url`. */
  nameOf(setting: SettingName): string;
  locate(setting: SettingName): ConfigFileLocation;
}

/** Shell and YAML spellings of yes and no; undefined for anything else. */
export function parseBoolean(text: string): boolean | undefined {
  if (/^(1|true|yes|on)$/i.test(text)) return true;
  if (/^(0|false|no|off)$/i.test(text)) return false;
  return undefined;
}

const interfaces: Record<string, EndpointInterface> = {
  public: 'public',
  publicurl: 'public',
  internal: 'internal',
  internalurl: 'internal',
  admin: 'admin',
  adminurl: 'admin',
};

/** Drops undefined members, so a parsed configuration holds only what the file said. */
function defined<T extends object>(record: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(record).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

type AuthKind = 'password' | 'application_credential';

/** One file's settings being read: how it names them, where a problem is, what to warn of. */
interface Reading {
  settings: OpenStackSettings;
  name: (setting: SettingName) => string;
  fail: (setting: SettingName, problem: string) => ConfigFileError;
  warnings: string[];
}

/** Turns the settings of one site into its configuration and credential, or says what is wrong. */
export function siteFromSettings(
  settings: OpenStackSettings,
  source: SettingsSource,
): ParsedSiteFile {
  const reading: Reading = {
    settings,
    name: (setting) => source.nameOf(setting),
    fail: (setting, problem) => new ConfigFileError(problem, source.locate(setting)),
    warnings: [],
  };
  const authUrl = checkedAuthUrl(reading);
  const iface = endpointInterface(reading);
  const kind = authKind(settings, reading.name, reading.fail, reading.warnings);
  const domains = domainsOf(settings);
  if (settings.username && !settings.userId && !domains.userDomainName && !domains.userDomainId) {
    reading.warnings.push(
      `${reading.name('username')} is set without the user's domain: Keystone needs it; set ${reading.name('userDomainName')} (often Default)`,
    );
  }
  const config: OpenStackSiteConfig = {
    type: 'openstack',
    authUrl,
    interface: iface,
    ...defined({
      region: settings.region,
      userDomainName: domains.userDomainName,
      userDomainId: domains.userDomainId,
      insecure: settings.insecure,
    }),
  };
  const credential =
    kind === 'application_credential'
      ? applicationCredentialOf(reading)
      : passwordCredentialOf(reading, config, domains);
  return {
    config,
    credential,
    ...defined({ caBundlePath: settings.cacert }),
    warnings: reading.warnings,
  };
}

/** Keystone v3's URL, refusing v2 files and URLs that are not one. */
function checkedAuthUrl({ settings, name, fail }: Reading): string {
  const version = settings.identityApiVersion;
  if (version !== undefined && !/^3(\.\d+)?$/.test(version)) {
    throw fail(
      'identityApiVersion',
      /^2(\.\d+)?$/.test(version)
        ? `Keystone v2 is not supported (${name('identityApiVersion')}=${version}): Glint needs Keystone v3; get a v3 file from the cloud (in Horizon: API Access, OpenStack RC File)`
        : `${name('identityApiVersion')}=${version} is not a Keystone version Glint supports: use 3`,
    );
  }
  if (!settings.authUrl) {
    throw fail(
      'authUrl',
      `${name('authUrl')} is missing: set it to Keystone's v3 URL, e.g. https://keystone.example.org:5000/v3`,
    );
  }
  try {
    return normaliseAuthUrl(settings.authUrl);
  } catch (error) {
    throw fail('authUrl', `${name('authUrl')}: ${(error as Error).message}`);
  }
}

function endpointInterface({ settings, name, fail }: Reading): EndpointInterface {
  const iface = interfaces[(settings.interface ?? 'public').toLowerCase()];
  if (!iface) {
    throw fail(
      'interface',
      `${name('interface')}=${settings.interface} is not an endpoint interface: use public, internal or admin`,
    );
  }
  return iface;
}

interface Domains {
  userDomainName?: string;
  userDomainId?: string;
  projectDomainName?: string;
  projectDomainId?: string;
}

/** The user's and the project's domains; `domain_*` is the default for whichever is not set. */
function domainsOf(settings: OpenStackSettings): Domains {
  return {
    userDomainName:
      settings.userDomainName ?? (settings.userDomainId ? undefined : settings.domainName),
    userDomainId:
      settings.userDomainId ?? (settings.userDomainName ? undefined : settings.domainId),
    projectDomainName:
      settings.projectDomainName ?? (settings.projectDomainId ? undefined : settings.domainName),
    projectDomainId:
      settings.projectDomainId ?? (settings.projectDomainName ? undefined : settings.domainId),
  };
}

function applicationCredentialOf({
  settings,
  name,
  warnings,
}: Reading): PartialOpenStackCredential {
  if (settings.projectId || settings.projectName) {
    warnings.push(
      `${name('projectName')} and ${name('projectId')} are ignored: an application credential is bound to its own project`,
    );
  }
  if (!settings.applicationCredentialSecret) {
    warnings.push(
      `the file has no application credential secret (${name('applicationCredentialSecret')}): enter it separately`,
    );
  }
  return {
    kind: 'application_credential',
    ...defined({
      id: settings.applicationCredentialId,
      name: settings.applicationCredentialName,
      username: settings.username,
      userId: settings.userId,
      secret: settings.applicationCredentialSecret,
    }),
  };
}

/** A password login's credential; its project goes into `config`, as Keystone scopes by it. */
function passwordCredentialOf(
  { settings, name, warnings }: Reading,
  config: OpenStackSiteConfig,
  { projectDomainName, projectDomainId }: Domains,
): PartialOpenStackCredential {
  if (!settings.projectId && !settings.projectName) {
    warnings.push(
      `no project is set (${name('projectName')} or ${name('projectId')}): Keystone will use the user's default project, if any`,
    );
  } else if (
    settings.projectName &&
    !settings.projectId &&
    !projectDomainName &&
    !projectDomainId
  ) {
    warnings.push(
      `${name('projectName')} is set without the project's domain: Keystone needs it; set ${name('projectDomainName')} (often Default)`,
    );
  }
  if (!settings.password)
    warnings.push(`the file has no password (${name('password')}): enter it separately`);
  Object.assign(
    config,
    defined(
      settings.projectId
        ? { projectId: settings.projectId }
        : { projectName: settings.projectName, projectDomainName, projectDomainId },
    ),
  );
  return {
    kind: 'password',
    ...defined({
      username: settings.username,
      userId: settings.userId,
      password: settings.password,
    }),
  };
}

function authKind(
  settings: OpenStackSettings,
  name: (setting: SettingName) => string,
  fail: (setting: SettingName, problem: string) => ConfigFileError,
  warnings: string[],
): AuthKind {
  const hasApplicationCredential = Boolean(
    settings.applicationCredentialId || settings.applicationCredentialName,
  );
  const hasUser = Boolean(settings.username || settings.userId);
  let kind: AuthKind;
  switch (settings.authType?.toLowerCase()) {
    case undefined:
      kind = hasApplicationCredential && !hasUser ? 'application_credential' : 'password';
      if (kind === 'application_credential') {
        warnings.push(
          `${name('authType')} is not set; the application credential in the file is used`,
        );
      }
      break;
    case 'password':
    case 'v3password':
      kind = 'password';
      break;
    case 'v3applicationcredential':
      kind = 'application_credential';
      break;
    default:
      throw fail(
        'authType',
        `${name('authType')}=${settings.authType} is not supported: use password or v3applicationcredential`,
      );
  }
  if (kind === 'password' && !hasUser) {
    throw fail(
      'username',
      `neither ${name('username')} nor ${name('userId')} is set: name the user to log in as`,
    );
  }
  if (kind === 'application_credential') {
    if (!hasApplicationCredential) {
      throw fail(
        'applicationCredentialId',
        `an application credential needs ${name('applicationCredentialId')}, or ${name('applicationCredentialName')} with the user`,
      );
    }
    if (!settings.applicationCredentialId && !hasUser) {
      throw fail(
        'applicationCredentialName',
        `${name('applicationCredentialName')} names the credential only together with its user: set ${name('username')} or ${name('userId')}, or use ${name('applicationCredentialId')}`,
      );
    }
  }
  return kind;
}
