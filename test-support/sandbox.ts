/**
 * The OpenStack sandbox (deploy/sandbox/glint-sandbox) as tests see it: its manifest, and site
 * configurations and credentials for its clouds.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OutboundPolicy, type OpenStackSiteConfig, type PasswordCredential } from '@glint/core';

export interface SandboxUser {
  username: string;
  password: string;
  projectName: string;
  userDomainName: string;
  projectDomainName: string;
}

export interface SandboxCloud {
  name: string;
  index: number;
  region: string;
  authUrl: string;
  glanceUrl: string;
  keystonePort: number;
  glancePort: number;
  tokenExpiration: number;
  storeDir: string;
  /**
   * team-reader, team-member and team-admin hold Keystone's reader, member and admin roles on
   * project team-a (their entries are scoped to it); team-admin is admin on team-b too.
   */
  users: Record<
    'admin' | 'demo' | 'noimage' | 'team-reader' | 'team-member' | 'team-admin',
    SandboxUser
  >;
}

export const sandboxDir = process.env.GLINT_SANDBOX_DIR ?? '/var/tmp/glint-sandbox';
const script = join(__dirname, '..', 'deploy', 'sandbox', 'glint-sandbox');

export function sandboxClouds(): SandboxCloud[] {
  const manifest = join(sandboxDir, 'clouds.json');
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { clouds: SandboxCloud[] }).clouds;
  } catch (error) {
    throw new Error(
      `the OpenStack sandbox manifest ${manifest} is unreadable (${String(error)}); ` +
        'start the sandbox with: bash deploy/sandbox/glint-sandbox start',
    );
  }
}

/** The optional regions cloud (`glint-sandbox regions start`): one Keystone, a Glance per region. */
export interface SandboxRegions {
  authUrl: string;
  keystonePort: number;
  tokenExpiration: number;
  users: SandboxCloud['users'];
  /** RegionA and RegionB offer glance-download; RegionC (a sandbox from before it: absent) does not. */
  regions: Array<{
    region: string;
    glanceUrl: string;
    glancePort: number;
    storeDir: string;
    glanceDownload?: boolean;
  }>;
}

const regionsManifest = join(sandboxDir, 'regions.json');

/** The regions cloud when it was started, else undefined. */
export function sandboxRegions(): SandboxRegions | undefined {
  if (!existsSync(regionsManifest)) return undefined;
  return JSON.parse(readFileSync(regionsManifest, 'utf8')) as SandboxRegions;
}

/** One region of the regions cloud as a cloud of its own, for siteConfig() and passwordCredential(). */
export function regionCloud(regions: SandboxRegions, n: 0 | 1 | 2): SandboxCloud {
  const region = regions.regions[n];
  if (!region)
    throw new Error(
      `the regions cloud has no region ${n + 1}; add it with: bash deploy/sandbox/glint-sandbox regions start`,
    );
  return {
    name: `regions-${region.region}`,
    index: 100 + n,
    region: region.region,
    authUrl: regions.authUrl,
    glanceUrl: region.glanceUrl,
    keystonePort: regions.keystonePort,
    glancePort: region.glancePort,
    tokenExpiration: regions.tokenExpiration,
    storeDir: region.storeDir,
    users: regions.users,
  };
}

export function sandboxCloud(index: number): SandboxCloud {
  const cloud = sandboxClouds().find((c) => c.index === index);
  if (!cloud) throw new Error(`the sandbox has no cloud${index}; start it with more clouds`);
  return cloud;
}

/**
 * The sandbox's demo user, who adds the sites of most tests and benches, holds Keystone's member
 * role on project demo: these settings make it the project's admin too. roles.int.test.ts checks
 * the default role names.
 */
export const sandboxProjectAdminRoles = 'admin,member';

/**
 * GLINT_OUTBOUND_ALLOW for tests: exactly the sandbox's Keystone and Glance host:ports (from its
 * manifest), and those of `urls`, the test's own servers. The rest of loopback stays refused, as
 * in production: Redis and PostgreSQL are as far out of a site's reach here as there.
 */
export function outboundAllow(...urls: string[]): string {
  const regions = sandboxRegions();
  const servers = [
    ...sandboxClouds().flatMap((cloud) => [cloud.authUrl, cloud.glanceUrl]),
    ...(regions ? [regions.authUrl, ...regions.regions.map((r) => r.glanceUrl)] : []),
    ...urls,
  ];
  const hostPorts = servers.map((text) => {
    const url = new URL(text);
    return `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
  });
  return [...new Set(hostPorts)].join(',');
}

/** The outbound policy of outboundAllow(...urls), for tests that make adapters themselves. */
export function sandboxOutbound(...urls: string[]): OutboundPolicy {
  return OutboundPolicy.fromSetting(outboundAllow(...urls));
}

/** The cloud whose tokens live shortest, for tests of transfers that outlive a token. */
export function shortTokenCloud(maxSeconds: number): SandboxCloud {
  const cloud = sandboxClouds().find((c) => c.tokenExpiration <= maxSeconds);
  if (!cloud) {
    throw new Error(
      `no sandbox cloud has tokens of ${maxSeconds} s or less; start it with ` +
        'GLINT_SANDBOX_TOKEN_EXPIRATION_3=20 bash deploy/sandbox/glint-sandbox start',
    );
  }
  return cloud;
}

export function siteConfig(
  cloud: SandboxCloud,
  user: keyof SandboxCloud['users'] = 'demo',
): OpenStackSiteConfig {
  const u = cloud.users[user];
  return {
    type: 'openstack',
    authUrl: cloud.authUrl,
    region: cloud.region,
    interface: 'public',
    projectName: u.projectName,
    projectDomainName: u.projectDomainName,
    userDomainName: u.userDomainName,
  };
}

export function passwordCredential(
  cloud: SandboxCloud,
  user: keyof SandboxCloud['users'] = 'demo',
): PasswordCredential {
  const u = cloud.users[user];
  return { kind: 'password', username: u.username, password: u.password };
}

/** Stops or starts one service of one sandbox cloud, for fault-injection tests. */
export async function sandboxService(
  action: 'stop' | 'start',
  cloud: SandboxCloud,
  service: 'glance' | 'keystone',
): Promise<void> {
  await promisify(execFile)('bash', [script, 'service', action, String(cloud.index), service], {
    env: { ...process.env, GLINT_SANDBOX_DIR: sandboxDir },
  });
}

/**
 * Runs `work` holding the cloud for fault injection. Tests that stop its services take turns, so
 * one test's outage never lands in another's transfer. The lock is a directory (mkdir is atomic);
 * one left by a crashed holder is taken over after ten minutes.
 */
export async function withFaultCloud<T>(cloud: SandboxCloud, work: () => Promise<T>): Promise<T> {
  const lock = join(sandboxDir, `cloud${cloud.index}.fault-lock`);
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const held = await stat(lock).catch(() => undefined);
      if (held && Date.now() - held.mtimeMs > 10 * 60_000) await rmdir(lock).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    await rmdir(lock);
  }
}

/**
 * A project-scoped token for a sandbox user straight from Keystone, as automation or curl would use:
 * scoped to the user's project, or to another `project` of theirs.
 */
export async function sandboxToken(
  cloud: SandboxCloud,
  user: keyof SandboxCloud['users'] = 'demo',
  project = cloud.users[user].projectName,
): Promise<string> {
  const u = cloud.users[user];
  const response = await fetch(`${cloud.authUrl}/auth/tokens?nocatalog`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: {
            user: { name: u.username, domain: { name: u.userDomainName }, password: u.password },
          },
        },
        scope: { project: { name: project, domain: { name: u.projectDomainName } } },
      },
    }),
  });
  const token = response.headers.get('x-subject-token');
  if (response.status !== 201 || !token) {
    throw new Error(`Keystone login as ${user} on ${cloud.name} failed: ${response.status}`);
  }
  return token;
}
