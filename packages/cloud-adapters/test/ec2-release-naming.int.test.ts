/**
 * A release's stable name in two EC2 regions, through the EC2 adapter's release naming, against
 * the EC2 emulator and the S3 server, checked with the real AWS SDK clients: the SSM parameter
 * `/glint/<family>/<channel>` per region, the AMIs' tags and deprecation times. Also the
 * emulator's SSM parameter calls and image deprecation at the protocol level.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  DescribeImagesCommand,
  EC2Client,
  EnableImageDeprecationCommand,
  type Image,
} from '@aws-sdk/client-ec2';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { OutboundPolicy, type ScsImageProperties } from '@glint/core';
import { startEc2Stack, type Ec2Stack } from '../../../test-support/ec2-stack';
import { randomDisk } from '../../../test-support/random-image';
import {
  copyFromStream,
  EC2_RELEASE_TAGS,
  InvalidRequestError,
  releaseNamingFacts,
  releaseNamingOf,
  releaseParameter,
  type ReleaseSlot,
} from '../src';
import { Ec2Adapter } from '../src/ec2/adapter';

jest.setTimeout(120_000);

const east = 'us-east-1';
const west = 'us-west-2';
const poll = { initialMs: 20, maxMs: 100, retries: 20 };
const slot: ReleaseSlot = {
  family: `atlas-${randomBytes(3).toString('hex')}`,
  channel: 'latest',
  stableName: 'ATLAS worker',
};
const parameter = releaseParameter(slot);
const scs: ScsImageProperties = {
  image_build_date: '2026-11-01',
  image_original_user: 'ubuntu',
  image_source: 'https://images.example.org/atlas/20261101.qcow2',
  replace_frequency: 'weekly',
  provided_until: 'none',
  uuid_validity: 'last-2',
};

let stack: Ec2Stack;
const adapters = new Map<string, Ec2Adapter>();
/** The AMI of each version in each region. */
const amis: Record<string, Record<string, string>> = { [east]: {}, [west]: {} };

function adapter(region: string): Ec2Adapter {
  let made = adapters.get(region);
  if (!made) {
    made = new Ec2Adapter({ type: 'ec2', region, ...stack.settings }, stack.credential, {
      outbound: OutboundPolicy.fromSetting(stack.outboundAllow),
    });
    adapters.set(region, made);
  }
  return made;
}

const sdkClients = new Map<string, { destroy(): void }>();

/** The SDK client of that kind for the region, made once: EC2 or SSM, as any AWS user has them. */
function sdk<T extends { destroy(): void }>(Client: new (config: object) => T, region: string): T {
  const key = `${Client.name} ${region}`;
  let client = sdkClients.get(key);
  if (!client) {
    client = new Client({ region, endpoint: stack.ec2.endpoint, credentials: stack.credential });
    sdkClients.set(key, client);
  }
  return client as T;
}

/** A version imported into us-east-1 and, when asked, copied by EC2 to us-west-2. */
async function version(tag: string, copyWest: boolean): Promise<void> {
  const data = randomDisk(64 * 1024 + 7);
  const imported = await copyFromStream({
    sourceKey: 'upload',
    sourceName: `${tag}.raw`,
    data: Readable.from([data]),
    size: data.length,
    spec: {
      name: `atlas-${tag}`,
      diskFormat: 'raw',
      containerFormat: 'bare',
      visibility: 'private',
    },
    destinations: [{ key: 'east', adapter: adapter(east), imageId: `copy-${tag}` }],
  });
  amis[east]![tag] = (await adapter(east).getImage(imported.destinations[0]!.imageId!)).id;
  if (!copyWest) return;
  const copier = await adapter(west).serverSideCopyFrom(adapter(east));
  const copy = await copier!.run({
    sourceKey: 'east',
    sourceImageId: amis[east]![tag]!,
    targetId: `copy-${tag}-west`,
    policy: poll,
  });
  amis[west]![tag] = copy.id;
}

const ami = (region: string, tag: string) => ({ imageId: amis[region]![tag]!, version: tag });

async function pointed(region: string): Promise<string | undefined> {
  const ssm = sdk(SSMClient, region);
  const reply = await ssm.send(new GetParameterCommand({ Name: parameter })).catch(() => undefined);
  return reply?.Parameter?.Value;
}

async function described(region: string, tag: string): Promise<Image> {
  const ec2 = sdk(EC2Client, region);
  const { Images } = await ec2.send(new DescribeImagesCommand({ ImageIds: [amis[region]![tag]!] }));
  return Images![0]!;
}

const tagsOf = (image: Image) =>
  Object.fromEntries((image.Tags ?? []).map((tag) => [tag.Key!, tag.Value!]));

beforeAll(async () => {
  stack = await startEc2Stack({ regions: [east, west], taskTiming: { stepMs: 10 } });
  await version('20261101', true);
  await version('20261108', true);
  await version('20261115', false);
}, 240_000);

afterAll(async () => {
  sdkClients.forEach((client) => client.destroy());
  await Promise.all([...adapters.values()].map((made) => made.close()));
  await stack?.close();
});

test('EC2 declares its stable name as a parameter, switched in one call', () => {
  expect(releaseNamingFacts('ec2')).toEqual({
    stableName: 'parameter',
    duringSwitch: 'exactly-one',
  });
});

test('promote points each region’s SSM parameter at its AMI and tags the AMI', async () => {
  for (const region of [east, west]) {
    const result = await releaseNamingOf(adapter(region)).promote({
      slot,
      image: ami(region, '20261101'),
      scs,
    });
    expect(result).toMatchObject({ holder: { imageId: amis[region]!['20261101'] }, demoted: [] });
    expect(await pointed(region)).toBe(amis[region]!['20261101']);
    const image = await described(region, '20261101');
    expect(image.DeprecationTime).toBeUndefined();
    expect(tagsOf(image)).toMatchObject({
      ...scs,
      [EC2_RELEASE_TAGS.family]: slot.family,
      [EC2_RELEASE_TAGS.channel]: 'latest',
      [EC2_RELEASE_TAGS.version]: '20261101',
    });
  }
  // One parameter per region: each names its own region's AMI.
  expect(amis[east]!['20261101']).not.toBe(amis[west]!['20261101']);
});

test('the next version takes the parameter in one call; the old AMI is deprecated, still describable', async () => {
  const samples: (string | undefined)[] = [];
  let done = false;
  const sampler = (async () => {
    while (!done) samples.push(await pointed(east));
  })();
  const result = await releaseNamingOf(adapter(east)).promote({
    slot,
    image: ami(east, '20261108'),
  });
  done = true;
  await sampler;
  const both = [amis[east]!['20261101'], amis[east]!['20261108']];
  expect(samples.length).toBeGreaterThan(0);
  expect(samples.every((id) => both.includes(id))).toBe(true);
  expect(result.demoted.map((held) => held.imageId)).toEqual([amis[east]!['20261101']]);

  expect(await pointed(east)).toBe(amis[east]!['20261108']);
  const old = await described(east, '20261101');
  expect(Date.parse(old.DeprecationTime!)).toBeGreaterThan(Date.now() - 60_000);
  expect(Date.parse(old.DeprecationTime!) % 60_000).toBe(0);
  expect(tagsOf(old)[EC2_RELEASE_TAGS.channel]).toBeUndefined();
  // The owner lists deprecated AMIs whatever it asks, as in AWS.
  const { Images } = await sdk(EC2Client, east).send(
    new DescribeImagesCommand({
      Owners: ['self'],
      Filters: [{ Name: `tag:${EC2_RELEASE_TAGS.family}`, Values: [slot.family] }],
    }),
  );
  expect(Images!.map((image) => image.ImageId).sort()).toEqual([...both].sort());
  // us-west-2 keeps its own parameter until its wave.
  expect(await pointed(west)).toBe(amis[west]!['20261101']);
});

test('rollback promotes the previous AMI again: its deprecation is cancelled, the newer one deprecated', async () => {
  await releaseNamingOf(adapter(east)).promote({ slot, image: ami(east, '20261101') });
  expect(await pointed(east)).toBe(amis[east]!['20261101']);
  expect((await described(east, '20261101')).DeprecationTime).toBeUndefined();
  expect((await described(east, '20261108')).DeprecationTime).toBeDefined();
  expect(await releaseNamingOf(adapter(east)).holders(slot)).toEqual([
    expect.objectContaining({ imageId: amis[east]!['20261101'], version: '20261101' }),
  ]);
});

test('an AMI that holds another channel is not deprecated when it leaves one', async () => {
  const naming = releaseNamingOf(adapter(west));
  const stable = { ...slot, channel: 'stable' };
  await naming.promote({ slot: stable, image: ami(west, '20261101') });
  await naming.promote({ slot, image: ami(west, '20261108') });
  const old = await described(west, '20261101');
  expect(tagsOf(old)[EC2_RELEASE_TAGS.channel]).toBe('stable');
  expect(old.DeprecationTime).toBeUndefined();
  const { Parameters } = await sdk(SSMClient, west).send(
    new GetParametersByPathCommand({ Path: `/glint/${slot.family}` }),
  );
  expect(Object.fromEntries(Parameters!.map((p) => [p.Name, p.Value]))).toEqual({
    [releaseParameter(stable)]: amis[west]!['20261101'],
    [parameter]: amis[west]!['20261108'],
  });
});

test('the holder cannot be demoted or retired', async () => {
  const naming = releaseNamingOf(adapter(east));
  await expect(naming.demote(slot, ami(east, '20261101'))).rejects.toThrow(InvalidRequestError);
  await expect(naming.retire(slot, ami(east, '20261101'))).rejects.toThrow(
    /promote another version first/,
  );
});

test('a protected AMI is retiring and goes on a later try; a fresh copy is staged deprecated', async () => {
  const naming = releaseNamingOf(adapter(east));
  await naming.demote(slot, ami(east, '20261115'));
  const staged = await described(east, '20261115');
  expect(staged.DeprecationTime).toBeDefined();
  expect(tagsOf(staged)).toMatchObject({ [EC2_RELEASE_TAGS.version]: '20261115' });

  // The emulator has no deregistration protection: its refusal is injected, in AWS's words.
  stack.ec2.fail('DeregisterImage', {
    code: 'OperationNotPermitted',
    message: `The image ${amis[east]!['20261115']} has deregistration protection enabled.`,
  });
  expect(await naming.retire(slot, ami(east, '20261115'))).toMatchObject({
    outcome: 'retiring',
    reason: 'protected',
  });
  expect(stack.ec2.image(east, amis[east]!['20261115']!)).toBeDefined();
  expect(await naming.retire(slot, ami(east, '20261115'))).toEqual({ outcome: 'deleted' });
  expect(stack.ec2.image(east, amis[east]!['20261115']!)).toBeUndefined();
  expect(await naming.retire(slot, ami(east, '20261115'))).toEqual({ outcome: 'gone' });
});

describe('the emulator at the protocol level', () => {
  test('SSM parameters: Overwrite, not found, by path with and without recursion, paging', async () => {
    const ssm = sdk(SSMClient, west);
    const name = `/emu/${slot.family}/a`;
    await ssm.send(new PutParameterCommand({ Name: name, Value: 'one', Type: 'String' }));
    await expect(
      ssm.send(new PutParameterCommand({ Name: name, Value: 'two', Type: 'String' })),
    ).rejects.toMatchObject({ name: 'ParameterAlreadyExists' });
    const put = await ssm.send(
      new PutParameterCommand({ Name: name, Value: 'two', Overwrite: true }),
    );
    expect(put.Version).toBe(2);
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name }));
    expect(Parameter).toMatchObject({ Name: name, Value: 'two', Type: 'String', Version: 2 });
    expect(Parameter!.LastModifiedDate).toBeInstanceOf(Date);
    for (let n = 0; n < 11; n++)
      await ssm.send(
        new PutParameterCommand({
          Name: `/emu/${slot.family}/deep/${n}`,
          Value: String(n),
          Type: 'String',
        }),
      );
    const flat = await ssm.send(new GetParametersByPathCommand({ Path: `/emu/${slot.family}` }));
    expect(flat.Parameters!.map((p) => p.Name)).toEqual([name]);
    const first = await ssm.send(
      new GetParametersByPathCommand({ Path: `/emu/${slot.family}`, Recursive: true }),
    );
    expect(first.Parameters).toHaveLength(10);
    const rest = await ssm.send(
      new GetParametersByPathCommand({
        Path: `/emu/${slot.family}`,
        Recursive: true,
        NextToken: first.NextToken,
      }),
    );
    expect(rest.Parameters).toHaveLength(2);
    expect(rest.NextToken).toBeUndefined();
    await ssm.send(new DeleteParameterCommand({ Name: name }));
    await expect(ssm.send(new GetParameterCommand({ Name: name }))).rejects.toMatchObject({
      name: 'ParameterNotFound',
    });
    await expect(ssm.send(new DeleteParameterCommand({ Name: name }))).rejects.toMatchObject({
      name: 'ParameterNotFound',
    });
    // Parameters belong to their region.
    await expect(
      sdk(SSMClient, east).send(new GetParameterCommand({ Name: `/emu/${slot.family}/deep/0` })),
    ).rejects.toMatchObject({ name: 'ParameterNotFound' });
  });

  test('EnableImageDeprecation refuses a time in the past and rounds to the minute', async () => {
    const ec2 = sdk(EC2Client, west);
    const imageId = amis[west]!['20261108']!;
    await expect(
      ec2.send(
        new EnableImageDeprecationCommand({
          ImageId: imageId,
          DeprecateAt: new Date(Date.now() - 3_600_000),
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    const at = new Date(Date.parse('2030-01-01T10:00:29Z'));
    await ec2.send(new EnableImageDeprecationCommand({ ImageId: imageId, DeprecateAt: at }));
    expect((await described(west, '20261108')).DeprecationTime).toBe('2030-01-01T10:00:00.000Z');
  });
});
