import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DisableImageDeprecationCommand,
  EnableImageDeprecationCommand,
  type EC2Client,
  type Filter,
  type Image,
  type Tag,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { ScsImageProperties } from '@glint/core';
import { ConflictError, InvalidRequestError, isCloudError, NotFoundError } from '../errors';
import {
  checkSlot,
  type PromoteRequest,
  type PromoteResult,
  type ReleaseImage,
  type ReleaseNaming,
  type ReleaseSlot,
  type RetireOutcome,
  type StableHolder,
} from '../release-naming';
import { EC2_RELEASE_TAGS, releaseParameter } from './release-tags';

/** What release naming needs of its region's adapter. */
export interface AmiReleaseContext {
  region: string;
  /** Runs an AWS call, its failure typed and worded for `doing`. */
  aws<T>(doing: string, call: () => Promise<T>): Promise<T>;
  ec2: EC2Client;
  ssm(): SSMClient;
  /** The account's own AMIs in the region that match, deprecated ones included. */
  describe(filters: Filter[]): Promise<Image[]>;
  /** The account's AMI of that id, or undefined. */
  ami(id: string): Promise<Image | undefined>;
  /** Deregisters the AMI and deletes its snapshots (the adapter's deleteImage). */
  deleteImage(id: string): Promise<void>;
}

const tagOf = (ami: Image, key: string) => ami.Tags?.find((tag) => tag.Key === key)?.Value;
const channelsOf = (ami: Image) =>
  (tagOf(ami, EC2_RELEASE_TAGS.channel) ?? '').split(' ').filter(Boolean);

function holderOf(ami: Image): StableHolder {
  return {
    imageId: ami.ImageId!,
    version: tagOf(ami, EC2_RELEASE_TAGS.version) ?? null,
    promotedAt: tagOf(ami, EC2_RELEASE_TAGS.promotedAt) ?? null,
  };
}

/** The next whole minute: EC2 takes no deprecation time in the past and rounds to minutes. */
const nextMinute = () => new Date(Math.ceil((Date.now() + 1000) / 60_000) * 60_000);

/** Deregistration protection (EnableImageDeregistrationProtection) refuses DeregisterImage. */
const protectionRefusal = /deregistration protection|protected/i;

/**
 * A release's stable name in one EC2 region. An AMI's name cannot change, so the name that users
 * and launch templates follow is the SSM parameter `/glint/<family>/<channel>`, whose value is the
 * holder's AMI id (`{{resolve:ssm:…}}` in a launch template, `ssm:` in RunInstances); the AMIs
 * carry tags saying which family, version and channels they are, and an older AMI gets a
 * deprecation time, which leaves it out of its users' DescribeImages listings while it stays
 * launchable by id (its owner, Glint, still sees it).
 *
 * The order of a promotion:
 *   1. the new AMI is tagged (family, version, channel, promotion stamp, SCS-0102 properties)
 *      and, if an earlier demotion deprecated it (a rollback), its deprecation is cancelled;
 *   2. the switch: one PutParameter with Overwrite, which replaces the value in a single call,
 *      so a reader of the parameter gets the old id before and the new id after, never none or
 *      two; it only ever names an AMI that is available and not deprecated;
 *   3. each older AMI leaves the channel's tag and, once it holds no channel, is deprecated.
 * A DescribeImages by the channel tag lists both AMIs between 1 and 3 (one or two, never none),
 * as Glance does; the parameter is what counts.
 */
export class AmiReleaseNaming implements ReleaseNaming {
  constructor(private readonly region: AmiReleaseContext) {}

  async holders(slot: ReleaseSlot): Promise<StableHolder[]> {
    checkSlot(slot);
    const id = await this.pointer(slot);
    if (!id) return [];
    const ami = await this.region.ami(id);
    return [ami ? holderOf(ami) : { imageId: id, version: null, promotedAt: null }];
  }

  /** The AMI id the channel's parameter holds in this region; undefined before the first promotion. */
  private async pointer(slot: ReleaseSlot): Promise<string | undefined> {
    const name = releaseParameter(slot);
    try {
      const { Parameter } = await this.region.aws(`reading the SSM parameter ${name}`, () =>
        this.region.ssm().send(new GetParameterCommand({ Name: name })),
      );
      return Parameter?.Value;
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  private async available(id: string, slot: ReleaseSlot): Promise<Image> {
    const ami = await this.region.ami(id);
    if (!ami) throw new NotFoundError(`no AMI ${id} in ${this.region.region}`);
    if (ami.State !== 'available')
      throw new ConflictError(
        `AMI ${id} is ${String(ami.State)}, not available: only a verified, available copy can hold ${releaseParameter(slot)}`,
      );
    return ami;
  }

  async promote({ slot, image, scs }: PromoteRequest): Promise<PromoteResult> {
    checkSlot(slot);
    const target = await this.available(image.imageId, slot);
    const others = await this.otherHolders(slot, image.imageId);
    const channels = [...new Set([...channelsOf(target), slot.channel])].sort();
    await this.tag(target.ImageId!, {
      ...scsTags(scs),
      [EC2_RELEASE_TAGS.family]: slot.family,
      [EC2_RELEASE_TAGS.version]: image.version,
      [EC2_RELEASE_TAGS.channel]: channels.join(' '),
      [EC2_RELEASE_TAGS.promotedAt]: new Date().toISOString(),
    });
    if (target.DeprecationTime)
      await this.region.aws(`cancelling the deprecation of ${image.imageId}`, () =>
        this.region.ec2.send(new DisableImageDeprecationCommand({ ImageId: image.imageId })),
      );
    await this.point(slot, image);
    for (const old of others) await this.leaveChannel(old, slot);
    const promoted = await this.available(image.imageId, slot);
    return { holder: holderOf(promoted), demoted: others.map(holderOf) };
  }

  /** The AMIs tagged as holding the channel, and the one its parameter names, but `except`. */
  private async otherHolders(slot: ReleaseSlot, except: string): Promise<Image[]> {
    const family = await this.region.describe([
      { Name: `tag:${EC2_RELEASE_TAGS.family}`, Values: [slot.family] },
    ]);
    const holding = family.filter(
      (ami) => ami.ImageId !== except && channelsOf(ami).includes(slot.channel),
    );
    const pointed = await this.pointer(slot);
    if (pointed && pointed !== except && !holding.some((ami) => ami.ImageId === pointed)) {
      const ami = await this.region.ami(pointed);
      if (ami) holding.push(ami);
    }
    return holding;
  }

  /** The switch: one overwrite of the channel's parameter. */
  private async point(slot: ReleaseSlot, image: ReleaseImage): Promise<void> {
    const name = releaseParameter(slot);
    await this.region.aws(`pointing the SSM parameter ${name} at ${image.imageId}`, () =>
      this.region.ssm().send(
        new PutParameterCommand({
          Name: name,
          Value: image.imageId,
          // A text parameter: `aws:ec2:image` is checked after the call returns, so a read just
          // after the switch could still give the old AMI.
          Type: 'String',
          DataType: 'text',
          Overwrite: true,
          Description: `Glint: the AMI of ${slot.family} ${slot.channel} (version ${image.version})`,
        }),
      ),
    );
  }

  private async tag(imageId: string, tags: Record<string, string>): Promise<void> {
    const list: Tag[] = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    await this.region.aws(`tagging ${imageId}`, () =>
      this.region.ec2.send(new CreateTagsCommand({ Resources: [imageId], Tags: list })),
    );
  }

  /** Takes the channel off the AMI's tag; one that holds no channel any more is deprecated. */
  private async leaveChannel(ami: Image, slot: ReleaseSlot): Promise<void> {
    const id = ami.ImageId!;
    const left = channelsOf(ami).filter((channel) => channel !== slot.channel);
    if (left.length > 0) await this.tag(id, { [EC2_RELEASE_TAGS.channel]: left.join(' ') });
    else if (tagOf(ami, EC2_RELEASE_TAGS.channel) !== undefined)
      await this.region.aws(`untagging ${id}`, () =>
        this.region.ec2.send(
          new DeleteTagsCommand({ Resources: [id], Tags: [{ Key: EC2_RELEASE_TAGS.channel }] }),
        ),
      );
    if (left.length === 0 && !ami.DeprecationTime)
      await this.region.aws(`deprecating ${id}`, () =>
        this.region.ec2.send(
          new EnableImageDeprecationCommand({ ImageId: id, DeprecateAt: nextMinute() }),
        ),
      );
  }

  demote(slot: ReleaseSlot, image: ReleaseImage): Promise<void> {
    return this.hide(slot, image, 'demote');
  }

  /** Tags a version not yet marked (a fresh copy), takes it out of the channel and deprecates it. */
  private async hide(slot: ReleaseSlot, image: ReleaseImage, doing: string): Promise<void> {
    checkSlot(slot);
    await this.refuseHolder(slot, image, doing);
    const ami = await this.region.ami(image.imageId);
    if (!ami) throw new NotFoundError(`no AMI ${image.imageId} in ${this.region.region}`);
    if (!tagOf(ami, EC2_RELEASE_TAGS.version))
      await this.tag(image.imageId, {
        [EC2_RELEASE_TAGS.family]: slot.family,
        [EC2_RELEASE_TAGS.version]: image.version,
      });
    await this.leaveChannel(ami, slot);
  }

  /** The AMI the parameter names cannot go: the channel would name nothing. */
  private async refuseHolder(slot: ReleaseSlot, image: ReleaseImage, doing: string) {
    if ((await this.pointer(slot)) === image.imageId)
      throw new InvalidRequestError(
        `AMI ${image.imageId} is what ${releaseParameter(slot)} names in ${this.region.region}, so Glint cannot ${doing} it: promote another version first`,
      );
  }

  async retire(slot: ReleaseSlot, image: ReleaseImage): Promise<RetireOutcome> {
    try {
      await this.hide(slot, image, 'retire');
      await this.region.deleteImage(image.imageId);
      return { outcome: 'deleted' };
    } catch (error) {
      if (error instanceof NotFoundError) return { outcome: 'gone' };
      // AWS's refusals carry its status; Glint's own (the holder) do not.
      if (
        isCloudError(error) &&
        error.status !== undefined &&
        protectionRefusal.test(error.message)
      )
        return { outcome: 'retiring', reason: 'protected', detail: error.message };
      throw error;
    }
  }
}

/** The SCS-0102 properties as tags, under the standard's keys. */
function scsTags(scs: ScsImageProperties = {}): Record<string, string> {
  return Object.fromEntries(
    Object.entries(scs).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
