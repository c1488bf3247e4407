/**
 * A release family as the release tests drive it: through the API, stepped faster than the
 * daemon's schedule would, and checked on the sandbox clouds with the OpenStack reference client.
 */
import type { FastifyInstance } from 'fastify';
import type { FamilyDetails } from '../packages/api/src/schemas/releases';
import type { CloudImages } from './cloud-images';
import { openstackCli } from './openstack-cli';
import { sandboxCloud } from './sandbox';
import type { Session, TestEnvironment } from './test-environment';

/** A site of the family's tests: its Glint id and the sandbox cloud that holds its images. */
export interface FamilySite {
  id: string;
  cloud: number;
}

export interface ReleaseFamilyFixture<Name extends string> {
  env: TestEnvironment;
  server: FastifyInstance;
  user: Session;
  images: CloudImages;
  /** The family's key (its name in the API's paths). */
  name: string;
  stableName: string;
  sites: Record<Name, FamilySite>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the OpenStack client lists under `name` on a sandbox cloud: the images' ids. */
export async function listedByClient(cloud: number, name: string): Promise<string[]> {
  const listed = (await openstackCli(sandboxCloud(cloud), ['image', 'list', '--name', name])) as {
    ID: string;
  }[];
  return listed.map((image) => image.ID);
}

/** An image as the OpenStack client shows it. */
export const shownByClient = async (cloud: number, id: string) =>
  (await openstackCli(sandboxCloud(cloud), ['image', 'show', id])) as Record<string, unknown>;

/** Steps a family as the daemon's schedule would, faster; `details` reads it through the API. */
function stepperOf(
  { env, server }: Pick<ReleaseFamilyFixture<string>, 'env' | 'server'>,
  details: () => Promise<FamilyDetails>,
) {
  async function step(): Promise<void> {
    const familyId = (await details()).family.id;
    const ownerId = (
      await env.query<{ owner_id: string }>('SELECT owner_id FROM sites LIMIT 1')
    )[0]!.owner_id;
    await server.queues.enqueue('release', [
      { id: `release-${familyId}`, payload: { version: 1, ownerId, familyId } },
    ]);
  }

  return {
    /** Steps the family until `done` holds of its details. */
    async stepUntil(done: (family: FamilyDetails) => boolean): Promise<FamilyDetails> {
      for (let n = 1; ; n++) {
        const family = await details();
        if (done(family)) return family;
        if (n % 40 === 0)
          console.log(
            JSON.stringify(
              family.versions.map((v) => [
                v.version,
                v.haltedReason,
                v.wave,
                v.retiredAt,
                v.sites.map((s) => [s.siteName, s.state, s.error]),
              ]),
            ),
          );
        await step();
        await sleep(250);
      }
    },

    /** Takes `count` more steps, for a test that something does not happen however often it steps. */
    async stepTimes(count: number): Promise<FamilyDetails> {
      for (let n = 0; n < count; n++) {
        await step();
        await sleep(250);
      }
      return details();
    },
  };
}

const unprotectAndDelete = async (images: CloudImages, cloud: number, id: string) => {
  await openstackCli(sandboxCloud(cloud), ['image', 'set', '--unprotected', id]).catch(() => {});
  await images.remove(sandboxCloud(cloud), id).catch(() => {});
};

/**
 * Deletes every copy of the family's versions, and whatever holds the stable name. Hidden copies
 * are left out of name listings: the family's own record names them all.
 */
async function removeAll(
  { images, stableName, sites }: ReleaseFamilyFixture<string>,
  family: FamilyDetails | undefined,
): Promise<void> {
  const cloudOf = new Map(Object.values<FamilySite>(sites).map((s) => [s.id, s.cloud]));
  for (const version of family?.versions ?? [])
    for (const copy of version.sites)
      if (copy.cloudImageId && cloudOf.has(copy.siteId))
        await unprotectAndDelete(images, cloudOf.get(copy.siteId)!, copy.cloudImageId);
  for (const cloud of new Set(cloudOf.values()))
    for (const image of await images.named(sandboxCloud(cloud), stableName).catch(() => []))
      await unprotectAndDelete(images, cloud, image.id);
}

export function releaseFamily<Name extends string>(fixture: ReleaseFamilyFixture<Name>) {
  const { server, user, name, stableName, sites } = fixture;

  const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    server.inject({
      method,
      url: `/api/v1/releases${url}`,
      headers: user.headers,
      ...(payload && { payload }),
    });

  const details = async () => (await api('GET', `/${name}`)).json<FamilyDetails>();

  const stateOf = (family: FamilyDetails, version: string, site: Name) =>
    family.versions
      .find((v) => v.version === version)
      ?.sites.find((s) => s.siteId === sites[site].id)?.state;

  return {
    api,
    details,
    stateOf,
    ...stepperOf(fixture, details),

    stableEverywhere: (version: string) => (family: FamilyDetails) =>
      (Object.keys(sites) as Name[]).every((site) => stateOf(family, version, site) === 'stable'),

    /** The cloud image id of a version on a site, as the family's details say. */
    copyOf: (family: FamilyDetails, version: string, site: Name) =>
      family.versions
        .find((v) => v.version === version)!
        .sites.find((s) => s.siteId === sites[site].id)!.cloudImageId!,

    /** What the OpenStack client lists under the stable name on a site's cloud. */
    listed: (site: Name) => listedByClient(sites[site].cloud, stableName),

    shown: (site: Name, id: string) => shownByClient(sites[site].cloud, id),

    removeAll: async () => removeAll(fixture, await details().catch(() => undefined)),
  };
}
