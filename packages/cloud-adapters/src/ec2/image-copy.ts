import {
  CopyImageCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  type EC2Client,
  type Image,
  type Tag,
} from '@aws-sdk/client-ec2';
import { backoffDelay, GLINT_MARKERS, sleep } from '@glint/core';
import type {
  AwaitActiveOptions,
  ImageInfo,
  ServerSideCopy,
  ServerSideCopyOptions,
} from '../adapter';
import { InvalidRequestError, NotFoundError, TransientError } from '../errors';
import { onceVisible } from './consistency';
import { EC2_TAGS, imageInfoFromAmi, snapshotsOf } from './image-mapping';

/** How the job history names a copy EC2 made itself. */
export const EC2_COPY_METHOD = 'ec2-copy-image';

/** What a copy of an AMI from another region of the account is made of. */
export interface AmiCopyRequest {
  /** Glint's id for the copy: CopyImage's ClientToken, and the copy's `glint_copy_id` tag. */
  copyId: string;
  source: Image;
  sourceRegion: string;
  /** Names the source site in Glint's markers on the copy. */
  sourceKey: string;
  /** The copy's Name tag where it is not the source's (a release's "NAME (VERSION)"). */
  name?: string;
}

/** Runs one AWS call, its failure typed and worded for `doing` (the adapter's own mapping). */
export type AwsCall = <T>(
  doing: string,
  call: () => Promise<T>,
  signal?: AbortSignal,
) => Promise<T>;

/**
 * How long CopyImage may keep answering ResourceLimitExceeded (the destination region copies as
 * many snapshots at once as its limit lets it) before the job gives its slot back and retries later.
 */
const LIMIT_WAIT_MS = 30 * 60_000;
/** AWS gives no bound on a copy's time ("best effort"); past this, the job is retried later. */
const COPY_DEADLINE_MS = 12 * 3_600_000;
const MAX_POLL_MS = 30_000;

/** Tags Glint keeps on an AMI of its own that say nothing of the image itself. */
const bookkeeping = new Set<string>([EC2_TAGS.copyId, EC2_TAGS.deregisteredFrom]);

/**
 * The tags of the copy: the source AMI's own (its name, Glint's markers, the size and md5 of the
 * bytes Glint sent, the image's properties), its markers naming the AMI it was copied from, and the
 * copy's id. EC2 copies no tags by itself; CopyImageTags would copy them unchanged.
 */
export function copyTags(request: AmiCopyRequest): Tag[] {
  const kept = (request.source.Tags ?? []).filter(
    (tag) =>
      tag.Key &&
      !bookkeeping.has(tag.Key) &&
      !tag.Key.startsWith('aws:') &&
      tag.Key !== GLINT_MARKERS.sourceSite &&
      tag.Key !== GLINT_MARKERS.sourceImage &&
      !(request.name !== undefined && tag.Key === EC2_TAGS.name),
  );
  return [
    ...kept,
    ...(request.name !== undefined ? [{ Key: EC2_TAGS.name, Value: request.name }] : []),
    { Key: GLINT_MARKERS.sourceSite, Value: request.sourceKey },
    { Key: GLINT_MARKERS.sourceImage, Value: request.source.ImageId! },
    { Key: EC2_TAGS.copyId, Value: request.copyId },
  ];
}

/** An AMI's name must be unique in its region; the copy's id makes it so. */
const copyName = (copyId: string) => `glint-${copyId}`;

/**
 * AMIs copied by EC2 from another region of the same account (CopyImage, called in the destination
 * region with SourceRegion): no byte passes through Glint, and AWS copies the snapshots, which
 * belong to the destination region.
 */
export class AmiCopies {
  constructor(
    private readonly ec2: EC2Client,
    private readonly region: string,
    private readonly aws: AwsCall,
  ) {}

  /**
   * Starts the copy, or finds the one an earlier attempt started: the copy's id is the ClientToken,
   * so CopyImage asked again answers with the same AMI rather than making a second. While the
   * region copies as many snapshots as its limit allows, CopyImage answers ResourceLimitExceeded;
   * that is waited out with backoff.
   */
  async start(request: AmiCopyRequest, { policy, signal }: AwaitActiveOptions): Promise<string> {
    const source = request.source.ImageId!;
    const doing = `copying ${source} from ${request.sourceRegion} to ${this.region} (CopyImage)`;
    const tags = copyTags(request);
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const { ImageId } = await this.aws(
          doing,
          () =>
            this.ec2.send(
              new CopyImageCommand({
                SourceImageId: source,
                SourceRegion: request.sourceRegion,
                Name: copyName(request.copyId),
                Description: `Glint copy of ${source} from ${request.sourceRegion}`,
                ClientToken: request.copyId,
                TagSpecifications: [
                  { ResourceType: 'image', Tags: tags },
                  { ResourceType: 'snapshot', Tags: tags },
                ],
              }),
            ),
          signal,
        );
        return ImageId!;
      } catch (error) {
        const code = ((error as Error).cause as { name?: string } | undefined)?.name;
        if (code === 'IdempotentParameterMismatch')
          throw new InvalidRequestError(
            `AWS refused ${doing} (${code}): Glint gives CopyImage the copy's id as ClientToken, so that a retry finds the copy it started, ` +
              'and that token was used before for another source or name; delete the copy and place the image again, which starts a new one',
            { cause: error },
          );
        if (code !== 'ResourceLimitExceeded') throw error;
        if (Date.now() - started > LIMIT_WAIT_MS)
          throw new TransientError(
            `${this.region} still copies as many snapshots as its limit allows after ${LIMIT_WAIT_MS / 60_000} minutes; ` +
              'the copy is retried later (AWS Support can raise the limit)',
            { cause: error },
          );
        await sleep(backoffDelay(policy, Math.min(attempt, 8)), signal);
      }
    }
  }

  /**
   * Waits until the copy is available, reporting how far its snapshots are. A copy EC2 ends
   * `failed` is deregistered with its snapshots, so nothing is left of it, and fails for good with
   * AWS's reason: another attempt under the same ClientToken would only find it again.
   */
  async finish(imageId: string, options: AwaitActiveOptions): Promise<Image> {
    const { policy, signal, onProgress } = options;
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      const ami = await onceVisible(() => this.describe(imageId), policy, signal);
      if (ami.State === 'available') {
        onProgress?.({ stage: 'copying', percent: 100 });
        return ami;
      }
      if (ami.State !== 'pending') return this.failed(ami);
      onProgress?.({ stage: 'copying', percent: await this.progressOf(ami) });
      if (Date.now() - started > COPY_DEADLINE_MS)
        throw new TransientError(
          `the copy ${imageId} in ${this.region} is still pending after 12 hours`,
        );
      await sleep(backoffDelay({ ...policy, maxMs: MAX_POLL_MS }, Math.min(attempt, 8)), signal);
    }
  }

  private async describe(imageId: string): Promise<Image> {
    const { Images } = await this.aws(`reading the copy ${imageId} in ${this.region}`, () =>
      this.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] })),
    );
    const ami = Images?.[0];
    if (!ami) throw new NotFoundError(`the copy ${imageId} is not in ${this.region}`);
    return ami;
  }

  /** The least done of the copy's snapshots, in percent; AMIs report no progress of their own. */
  private async progressOf(ami: Image): Promise<number> {
    const ids = snapshotsOf(ami);
    if (ids.length === 0) return 0;
    const { Snapshots } = await this.aws(`reading the snapshots of ${ami.ImageId}`, () =>
      this.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: ids })),
    );
    const done = (Snapshots ?? []).map((s) => Number.parseInt(s.Progress ?? '0', 10) || 0);
    return done.length ? Math.min(...done) : 0;
  }

  private async failed(ami: Image): Promise<never> {
    const reason = ami.StateReason
      ? `${ami.StateReason.Code}: ${ami.StateReason.Message}`
      : 'no reason given';
    await this.aws(`removing the failed copy ${ami.ImageId}`, () =>
      this.ec2.send(
        new DeregisterImageCommand({ ImageId: ami.ImageId, DeleteAssociatedSnapshots: true }),
      ),
    );
    throw new InvalidRequestError(
      `EC2 could not copy the AMI to ${this.region}: the copy ${ami.ImageId} ended ${ami.State} (${reason}); ` +
        'it was removed; place the image on the region again to retry',
    );
  }
}

/** EC2 never turns down a copy it may make: the copy ends in an AMI, or fails. */
export interface AmiRegionCopy extends ServerSideCopy {
  run(options: ServerSideCopyOptions): Promise<ImageInfo>;
}

/** The copy of an AMI that `sourceAmi` finds in `sourceRegion`, made by `copies` in their region. */
export function regionCopy(
  copies: AmiCopies,
  sourceRegion: string,
  sourceAmi: (id: string) => Promise<Image | undefined>,
): AmiRegionCopy {
  return {
    method: EC2_COPY_METHOD,
    async run({ sourceKey, sourceImageId, targetId, name, ...options }) {
      const source = await sourceAmi(sourceImageId);
      if (!source) throw new NotFoundError(`no AMI ${sourceImageId} in ${sourceRegion} to copy`);
      const request = { copyId: targetId, source, sourceRegion, sourceKey, ...(name && { name }) };
      const imageId = await copies.start(request, options);
      return imageInfoFromAmi(await copies.finish(imageId, options));
    },
  };
}
