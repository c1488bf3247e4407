/**
 * An image release on an OpenStack site and two EC2 regions together, through the whole of Glint:
 * the real API (sandbox cloud1 beside an EC2 account of two regions), a real daemon, PostgreSQL,
 * Redis, the S3 server and the EC2 emulator. The family's canary is cloud1, then both regions. The
 * stable name is read as its users read it: Glance by name on cloud1; in each region the SSM
 * parameter /glint/<family>/<channel> and the AMIs' tags and deprecation times, through the AWS SDK.
 */
import { randomBytes } from 'node:crypto';
import { DescribeImagesCommand, EC2Client, type Image } from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { EC2_RELEASE_TAGS } from '@glint/cloud-adapters';
import { CloudImages } from '../../../test-support/cloud-images';
import { randomDiskStream } from '../../../test-support/random-image';
import { sandboxCloud } from '../../../test-support/sandbox';
import { until } from '../../../test-support/until';
import type { FamilyDetails } from '../../api/src/schemas/releases';
import { inventoried, startEc2System, type Ec2System } from './ec2-system';

jest.setTimeout(400_000);

const regions = ['us-east-1', 'us-west-2'] as const;
type Region = (typeof regions)[number];
const run = `ec2rel-${randomBytes(4).toString('hex')}`;
const stableName = `${run} Stable`;
const channel = 'latest';
const images = new CloudImages();
const clients: { ec2: EC2Client; ssm: SSMClient }[] = [];

let system: Ec2System;
const regionSite = (region: Region) => system.regionSite[region]!;

/** The region's EC2 and SSM, as any AWS user has them. */
const aws = {} as Record<Region, { ec2: EC2Client; ssm: SSMClient }>;

beforeAll(async () => {
  // The daemon steps each family every second, as its schedule would every 15.
  system = await startEc2System({
    regions,
    taskTiming: { stepMs: 10 },
    daemonEnv: { GLINT_RELEASE_INTERVAL_SECONDS: '1' },
  });
  for (const region of regions) {
    const config = {
      region,
      endpoint: system.stack.ec2.endpoint,
      credentials: system.stack.credential,
    };
    aws[region] = { ec2: new EC2Client(config), ssm: new SSMClient(config) };
    clients.push(aws[region]);
  }
}, 180_000);

afterAll(async () => {
  // Hidden copies are left out of name listings: the family's own record names cloud1's.
  const family = system && (await details().catch(() => undefined));
  for (const version of family?.versions ?? [])
    for (const copy of version.sites)
      if (copy.siteId === system.cloud1 && copy.cloudImageId)
        await images.remove(sandboxCloud(1), copy.cloudImageId).catch(() => {});
  for (const client of clients) {
    client.ec2.destroy();
    client.ssm.destroy();
  }
  await images.close();
  await system?.close();
});

const api = (method: 'GET' | 'POST', url: string, payload?: object) =>
  system.server.inject({
    method,
    url: `/api/v1/releases${url}`,
    headers: system.user.headers,
    ...(payload && { payload }),
  });

const details = async () => (await api('GET', `/${run}`)).json<FamilyDetails>();

const sitesOf = (family: FamilyDetails, version: string) =>
  family.versions.find((v) => v.version === version)?.sites ?? [];

const stateOf = (family: FamilyDetails, version: string, siteId: string) =>
  sitesOf(family, version).find((s) => s.siteId === siteId)?.state;

const copyOf = (family: FamilyDetails, version: string, siteId: string) =>
  sitesOf(family, version).find((s) => s.siteId === siteId)!.cloudImageId!;

const allSites = () => [system.cloud1, ...regions.map(regionSite)];

/** The family's details once `version` is stable on cloud1 and both regions (the daemon steps it). */
const stableEverywhere = (version: string) =>
  until(
    `version ${version} to be stable everywhere`,
    async () => {
      const family = await details();
      return allSites().every((id) => stateOf(family, version, id) === 'stable') && family;
    },
    300_000,
    500,
  );

/** A version's image seeded on cloud1 and known to Glint: its logical image id. */
async function seeded(version: string): Promise<string> {
  const name = `${run}-v${version}`;
  // VM Import takes only a disk with a partition table, as the emulator checks.
  const size = 2 * 1024 * 1024;
  await images.upload(
    sandboxCloud(1),
    { name, diskFormat: 'raw' },
    randomDiskStream(size, `${run}-content-${version}`),
    size,
  );
  return inventoried(system, name);
}

async function publish(version: string) {
  const published = await api('POST', `/${run}/versions`, {
    image: await seeded(version),
    version,
    properties: { image_original_user: 'debian', image_source: `https://example.org/${version}` },
  });
  expect(published.statusCode).toBe(201);
}

/** The AMI id the channel's parameter names in the region. */
async function parameterIn(region: Region): Promise<string | undefined> {
  const { Parameter } = await aws[region].ssm.send(
    new GetParameterCommand({ Name: `/glint/${run}/${channel}` }),
  );
  return Parameter?.Value;
}

async function described(region: Region, imageId: string): Promise<Image> {
  const { Images } = await aws[region].ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
  return Images![0]!;
}

const tagsOf = (image: Image) =>
  Object.fromEntries((image.Tags ?? []).map((tag) => [tag.Key!, tag.Value!]));

/** What Glance lists under the stable name on cloud1: the images' ids. */
const listedOnCloud1 = async () =>
  (await images.named(sandboxCloud(1), stableName)).map((image) => image.id);

/** The sites in the order their copy of `version` became stable. */
async function switchOrder(version: string): Promise<string[]> {
  const switched = await system.env.query<{ site_id: string }>(
    `SELECT rs.site_id FROM release_version_sites rs
       JOIN release_versions v ON v.id = rs.version_id
       JOIN release_families f ON f.id = v.family_id
     WHERE f.name = $1 AND v.version = $2 AND rs.stage = 'stable' ORDER BY rs.updated_at`,
    [run, version],
  );
  return switched.map((row) => row.site_id);
}

/** The version holds the stable name everywhere: Glance's name, each region's parameter and tags. */
async function expectHolding(family: FamilyDetails, version: string) {
  expect(await listedOnCloud1()).toEqual([copyOf(family, version, system.cloud1)]);
  for (const region of regions) {
    const ami = copyOf(family, version, regionSite(region));
    expect(await parameterIn(region)).toBe(ami);
    const image = await described(region, ami);
    expect(image.DeprecationTime).toBeUndefined();
    expect(tagsOf(image)).toMatchObject({
      [EC2_RELEASE_TAGS.family]: run,
      [EC2_RELEASE_TAGS.channel]: channel,
      [EC2_RELEASE_TAGS.version]: version,
      image_original_user: 'debian',
    });
  }
}

/** The version's AMIs are out of the channel and deprecated, as DescribeImages shows them. */
async function expectDeprecated(family: FamilyDetails, version: string) {
  for (const region of regions) {
    const image = await described(region, copyOf(family, version, regionSite(region)));
    expect(image.DeprecationTime).toEqual(expect.any(String));
    expect(tagsOf(image)[EC2_RELEASE_TAGS.channel]).toBeUndefined();
  }
}

const copyJobs = async () =>
  (await system.env.query(`SELECT 1 FROM jobs WHERE operation = 'copy'`)).length;

test('a family made with cloud1 as its canary rolls out v1 to cloud1, then both regions', async () => {
  const made = await api('POST', '', {
    name: run,
    stableName,
    sites: { ids: allSites() },
    waves: [{ ids: [system.cloud1] }],
    properties: { replace_frequency: 'weekly', provided_until: 'none', uuid_validity: 'last-2' },
    keepLast: 3,
    graceSeconds: 0,
  });
  expect(made.statusCode).toBe(201);
  await publish('1');
  const family = await stableEverywhere('1');
  expect(family.waves).toEqual([
    [system.cloud1],
    expect.arrayContaining(regions.map(regionSite)) as unknown,
  ]);
  expect((await switchOrder('1'))[0]).toBe(system.cloud1);
  await expectHolding(family, '1');
});

test('v2 takes over on cloud1 first, then in both regions; the v1 AMIs are deprecated', async () => {
  await publish('2');
  const family = await stableEverywhere('2');
  const order = await switchOrder('2');
  expect(order[0]).toBe(system.cloud1);
  expect(order).toHaveLength(3);
  await expectHolding(family, '2');
  await expectDeprecated(family, '1');
  for (const id of allSites()) expect(stateOf(family, '1', id)).toBe('hidden');
});

test('rollback makes v1 hold the name again everywhere without a new copy job', async () => {
  const before = await copyJobs();
  const rolledBack = await api('POST', `/${run}/rollback`, {});
  expect(rolledBack.statusCode).toBe(200);
  expect(rolledBack.json<FamilyDetails>().channels).toMatchObject([
    { name: channel, version: '1', previousVersion: '2' },
  ]);
  const family = await stableEverywhere('1');
  expect(await copyJobs()).toBe(before);
  await expectHolding(family, '1');
  await expectDeprecated(family, '2');
});
