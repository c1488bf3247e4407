import { tmpdir } from 'node:os';
import type { Readable } from 'node:stream';
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeImagesCommand,
  DescribeRegionsCommand,
  type Filter,
  type Image,
} from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Ec2Credential, Ec2SiteConfig } from '@glint/core';
import type {
  AdapterContext,
  AwaitActiveOptions,
  CloudAdapter,
  Download,
  HealthReport,
  ImageInfo,
  ImageQuery,
  ImageSpec,
  PropertyChanges,
  UploadOptions,
  Validation,
} from '../adapter';
import { InvalidRequestError, NotFoundError, PermissionError } from '../errors';
import type { ReleaseNaming } from '../release-naming';
import { AmiDeletion } from './ami-deletion';
import { Ec2Clients, HOME_REGION } from './clients';
import { onceVisible } from './consistency';
import { fileChunks, withStreamOptimizedVmdk } from './disk-conversion';
import { checkEndpoints, cloudErrorFrom, regionNotEnabled } from './errors';
import {
  EC2_TAGS,
  imageInfoFromAmi,
  snapshotsOf,
  tagsFor,
  type ReceivedData,
} from './image-mapping';
import { AmiCopies, regionCopy, type AmiRegionCopy } from './image-copy';
import { importOptionsFor, type ImportOptions } from './import-options';
import { ImportTasks } from './import-task';
import { describeRegions } from './regions';
import type { AmiReleaseNaming } from './release-naming';
import { ec2SiteType } from './site-type';
import { defaultStagingBucket, StagingBucket } from './staging';

/**
 * A copy this adapter is making: what it was asked for, what VM Import is to be told of it and,
 * once written, what it received.
 */
interface Copy {
  spec: ImageSpec;
  options: ImportOptions;
  received?: ReceivedData;
}

const isAmiId = (id: string) => id.startsWith('ami-');
/** The staging object of a copy; a qcow2 goes up converted to a stream-optimized VMDK. */
const stagingKey = (copyId: string) => `glint/${copyId}.disk`;

/**
 * One region of an EC2 account. A copy's id is Glint's own (the staging object's key and the
 * import task's ClientToken), so an upload cut short resumes under it; the AMI VM Import makes
 * carries the copy id as a tag, so either id finds it.
 */
export class Ec2Adapter implements CloudAdapter {
  readonly siteType = 'ec2';
  readonly resumableUploads = ec2SiteType.capabilities.resumableUploads;
  /** VM Import reports no digest of what it imported. */
  readonly digestsReceived = false;
  /** No AMI is registered before its import finished from a staged object checked first. */
  readonly hidesImages = false;
  private readonly clients: Ec2Clients;
  private readonly tasks: ImportTasks;
  private readonly amiCopies: AmiCopies;
  private readonly copies = new Map<string, Copy>();
  private naming?: AmiReleaseNaming;
  private accountId?: Promise<string>;
  private bucket?: Promise<StagingBucket>;

  constructor(
    private readonly config: Ec2SiteConfig,
    credential: Ec2Credential,
    private readonly context: AdapterContext,
  ) {
    this.clients = new Ec2Clients(config, credential, context.outbound);
    this.tasks = new ImportTasks(this.clients.ec2);
    this.amiCopies = new AmiCopies(this.clients.ec2, config.region, (doing, call, signal) =>
      this.aws(doing, call, signal),
    );
  }

  /**
   * Release naming, whose module and SSM's SDK load on the first call: copies never need them,
   * and a caller may read this property of every adapter it holds (see ./index).
   */
  readonly releaseNaming: ReleaseNaming = {
    holders: (slot) => this.amiNaming().holders(slot),
    promote: (request) => this.amiNaming().promote(request),
    demote: (slot, image) => this.amiNaming().demote(slot, image),
    retire: (slot, image) => this.amiNaming().retire(slot, image),
  };

  private amiNaming(): AmiReleaseNaming {
    const { AmiReleaseNaming: Naming } =
      require('./release-naming') as typeof import('./release-naming');
    this.naming ??= new Naming({
      region: this.config.region,
      aws: (doing, call) => this.aws(doing, call),
      ec2: this.clients.ec2,
      ssm: () => this.clients.ssm(),
      describe: (filters) => this.describe(filters),
      ami: (id) => this.amiOf(id),
      deleteImage: (id) => this.deleteImage(id),
    });
    return this.naming;
  }

  private get importRole(): string {
    return this.config.importRole ?? 'vmimport';
  }

  /** Runs an AWS call, its failure typed and worded for `doing`. */
  private async aws<T>(doing: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw cloudErrorFrom(error, doing, {
        region: this.config.region,
        importRole: this.importRole,
        ...(signal ? { signal } : {}),
      });
    }
  }

  /** Who the keys are, asked of STS; a reply that names no account did not come from STS. */
  private async identity(): Promise<{ account: string; arn: string }> {
    const doing = 'checking the access keys (STS GetCallerIdentity)';
    const { Account, Arn } = await this.aws(doing, () =>
      this.clients.sts.send(new GetCallerIdentityCommand({})),
    );
    if (!Account || !Arn)
      throw new InvalidRequestError(
        `while ${doing}, ${this.config.endpoints?.sts ?? 'STS'} answered with no account id, not an AWS reply: ${checkEndpoints}`,
      );
    return { account: Account, arn: Arn };
  }

  private account(): Promise<string> {
    this.accountId ??= this.identity().then((identity) => identity.account);
    this.accountId.catch(() => {
      this.accountId = undefined;
    });
    return this.accountId;
  }

  private staging(): Promise<StagingBucket> {
    this.bucket ??= this.account().then(
      (account) =>
        new StagingBucket(
          this.clients.s3,
          this.config.bucket ?? defaultStagingBucket(account, this.config.region),
          this.config.region,
          account,
        ),
    );
    return this.bucket;
  }

  /**
   * The keys first, with STS; then whether the account has enabled the site's region, asked of EC2
   * in us-east-1 (DescribeRegions with its opt-in status), because EC2 in a region not enabled
   * answers AuthFailure, as for bad keys; then the region itself.
   */
  async validate(): Promise<Validation> {
    const identity = await this.identity();
    const { region } = this.config;
    const asked = `DescribeRegions in ${HOME_REGION}`;
    const [listed] = await this.aws(`looking up region ${region} (${asked})`, () =>
      describeRegions(this.clients.ec2Home, [region]),
    );
    if (!listed?.usable)
      throw new PermissionError(
        regionNotEnabled(
          region,
          listed ? `${asked} lists it as ${listed.optInStatus}` : `${asked} does not list it`,
        ),
      );
    await this.reachRegion();
    return {
      projectId: identity.account,
      userId: identity.arn,
      imageEndpoint: this.clients.ec2Endpoint(this.config),
      expiresAt: null,
    };
  }

  private reachRegion() {
    return this.aws(`reaching EC2 in ${this.config.region}`, () =>
      this.clients.ec2.send(new DescribeRegionsCommand({ RegionNames: [this.config.region] })),
    );
  }

  async *listImages(query?: ImageQuery): AsyncIterable<ImageInfo> {
    const filters: Filter[] = query?.name
      ? [{ Name: `tag:${EC2_TAGS.name}`, Values: [query.name] }]
      : [];
    for (const ami of await this.describe(filters)) yield imageInfoFromAmi(ami);
  }

  /** The account's own AMIs in the region that match, all pages. */
  private async describe(filters: Filter[], imageIds?: string[]): Promise<Image[]> {
    const images: Image[] = [];
    let token: string | undefined;
    do {
      const page = await this.aws(`listing the AMIs of ${this.config.region}`, () =>
        this.clients.ec2.send(
          new DescribeImagesCommand({
            Owners: ['self'],
            ...(filters.length ? { Filters: filters } : {}),
            ...(imageIds ? { ImageIds: imageIds } : { MaxResults: 1000 }),
            ...(token ? { NextToken: token } : {}),
          }),
        ),
      );
      images.push(...(page.Images ?? []));
      token = page.NextToken;
    } while (token);
    return images;
  }

  /** The AMI an id names: an AMI id, or a copy id whose AMI carries it as a tag. */
  private async amiOf(id: string): Promise<Image | undefined> {
    const found = isAmiId(id)
      ? await this.describe([], [id]).catch((error: unknown) => {
          if (error instanceof NotFoundError) return [];
          throw error;
        })
      : await this.describe([{ Name: `tag:${EC2_TAGS.copyId}`, Values: [id] }]);
    return found[0];
  }

  /**
   * An AMI id, or a copy id: its AMI when made, else its import task (`importing`), else its staged
   * data (`uploading` while parts are going up, `saving` once whole).
   */
  async getImage(id: string): Promise<ImageInfo> {
    const ami = await this.amiOf(id);
    if (ami) return this.withReceived(imageInfoFromAmi(ami), id);
    if (!isAmiId(id)) {
      const status = await this.aws(`looking for copy ${id}`, () => this.progressOf(id));
      if (status) return this.placeholder(id, status);
    }
    throw new NotFoundError(`no AMI or copy ${id} in ${this.config.region}`);
  }

  private async progressOf(
    copyId: string,
  ): Promise<'importing' | 'uploading' | 'saving' | undefined> {
    const task = await this.tasks.find(copyId);
    if (task && task.status !== 'deleted') return 'importing';
    const bucket = await this.staging();
    const key = stagingKey(copyId);
    if (await bucket.openUpload(key).catch(() => undefined)) return 'uploading';
    if (await bucket.holds(key).catch(() => false)) return 'saving';
    return undefined;
  }

  /** A copy not yet an AMI, as an ImageInfo. */
  private placeholder(id: string, status: ImageInfo['status']): ImageInfo {
    const spec = this.copies.get(id)?.spec;
    return {
      id,
      name: spec?.name ?? id,
      status,
      size: this.copies.get(id)?.received?.bytes ?? null,
      diskFormat: spec?.diskFormat ?? null,
      containerFormat: spec?.containerFormat ?? null,
      visibility: 'private',
      protected: false,
      minDisk: spec?.minDisk ?? 0,
      minRam: spec?.minRam ?? 0,
      tags: [],
      checksum: this.copies.get(id)?.received?.md5 ?? null,
      hashAlgo: null,
      hashValue: null,
      owner: null,
      properties: { ...spec?.properties },
      createdAt: null,
      updatedAt: null,
    };
  }

  /** What this adapter received for a copy wins over the tags, which may lag. */
  private withReceived(image: ImageInfo, id: string): ImageInfo {
    const received = this.copies.get(id)?.received;
    return received ? { ...image, size: received.bytes, checksum: received.md5 } : image;
  }

  openDownload(id: string): Promise<Download> {
    return Promise.reject(
      new InvalidRequestError(
        `AMI ${id} cannot be a copy's source: Glint imports into EC2 but does not export from it; copy from an OpenStack site that holds the image`,
      ),
    );
  }

  private get importMode() {
    return this.config.importMode ?? 'image';
  }

  /**
   * Notes the copy to be made; nothing exists in AWS until its data arrives. An image VM Import
   * cannot take as it is described (format, architecture, boot mode, licence) is refused here,
   * before any byte is read.
   */
  async createImage(spec: ImageSpec): Promise<ImageInfo> {
    const options = importOptionsFor(spec, this.importMode);
    const id = spec.id ?? crypto.randomUUID();
    this.copies.set(id, { spec, options });
    await this.aws(`preparing the staging bucket in ${this.config.region}`, async () =>
      (await this.staging()).ensure(),
    );
    return this.placeholder(id, 'queued');
  }

  async uploadImageData(id: string, data: Readable, options?: UploadOptions): Promise<void> {
    const copy = this.copies.get(id);
    if (!copy) throw new NotFoundError(`copy ${id} was not created in ${this.config.region}`);
    const bucket = await this.staging();
    const key = stagingKey(id);
    const doing = `staging ${key} in ${bucket.name}`;
    const signal = options?.signal;
    if (copy.options.convertFromQcow2) {
      const { received } = await withStreamOptimizedVmdk(
        data,
        this.context.conversionDir ?? tmpdir(),
        options?.size,
        (vmdk, vmdkSize) =>
          this.aws(doing, () => bucket.upload(key, fileChunks(vmdk), vmdkSize, signal), signal),
      );
      copy.received = received;
      return;
    }
    const staged = await this.aws(
      doing,
      () => bucket.upload(key, data, options?.size, signal),
      signal,
    );
    copy.received = { bytes: staged.bytes, md5: staged.md5 };
  }

  /**
   * Imports the staged disk (or finds the import started before), reports its percentage, tags
   * the AMI and its snapshots with Glint's markers, removes the staging object, and returns the AMI.
   * A new AMI may read as not found for a while (EC2's eventual consistency): tagging and reading
   * it are retried until it shows.
   */
  async awaitActive(id: string, options: AwaitActiveOptions): Promise<ImageInfo> {
    const done = await this.amiOf(id);
    if (done?.State === 'available') return this.withReceived(imageInfoFromAmi(done), id);
    const copy = this.copies.get(id);
    if (!copy?.received) throw new NotFoundError(`copy ${id} has no data in ${this.config.region}`);
    const bucket = await this.staging();
    const request = {
      copyId: id,
      bucket: bucket.name,
      key: stagingKey(id),
      role: this.importRole,
      mode: this.importMode,
      options: copy.options,
    };
    const doing = `importing ${request.key} into ${this.config.region}`;
    const { policy, signal } = options;
    const imported = await this.aws(
      doing,
      async () => this.tasks.finish(await this.tasks.start(request), request, options),
      signal,
    );
    await onceVisible(
      () =>
        this.aws(`tagging ${imported.imageId}`, () =>
          this.clients.ec2.send(
            new CreateTagsCommand({
              Resources: [imported.imageId, ...imported.snapshotIds],
              Tags: tagsFor(copy.spec, id, copy.received!),
            }),
          ),
        ),
      policy,
      signal,
    );
    await this.aws(`removing the staging object ${request.key}`, () => bucket.remove(request.key));
    const ami = await onceVisible(
      async () => {
        const found = await this.amiOf(imported.imageId);
        if (!found)
          throw new NotFoundError(`VM Import reported ${imported.imageId}, which is not there`);
        return found;
      },
      policy,
      signal,
    );
    return this.withReceived(imageInfoFromAmi(ami), id);
  }

  /**
   * Deregisters the AMI and deletes its snapshots; for a copy id also cancels its import task and
   * removes its staged data, whatever stage it reached.
   */
  async deleteImage(id: string): Promise<void> {
    const ami = await this.amiOf(id);
    const deletion = new AmiDeletion({
      aws: (doing, call) => this.aws(doing, call),
      ec2: this.clients.ec2,
      describe: (filters) => this.describe(filters),
    });
    const copyId = isAmiId(id) ? ami?.Tags?.find((tag) => tag.Key === EC2_TAGS.copyId)?.Value : id;
    let found = await deletion.remove(ami, isAmiId(id) ? id : undefined, copyId);
    if (copyId) {
      const cancelled = await this.aws(`cancelling the import of ${copyId}`, () =>
        this.tasks.cancel(copyId),
      );
      const bucket = await this.staging();
      const removed = await this.aws(`removing the staged data of ${copyId}`, () =>
        bucket.remove(stagingKey(copyId)),
      );
      this.copies.delete(copyId);
      found ||= cancelled || removed;
    }
    if (!found) throw new NotFoundError(`no AMI or copy ${id} in ${this.config.region}`);
  }

  /** Sets and removes tags on the AMI and its snapshots; Glance's tag list has no EC2 meaning. */
  async updateProperties(id: string, changes: PropertyChanges): Promise<void> {
    const ami = await this.amiOf(id);
    if (!ami?.ImageId) throw new NotFoundError(`no AMI for ${id} in ${this.config.region}`);
    const resources = [ami.ImageId, ...snapshotsOf(ami)];
    const set = Object.entries(changes.set ?? {});
    if (set.length > 0)
      await this.aws(`tagging ${ami.ImageId}`, () =>
        this.clients.ec2.send(
          new CreateTagsCommand({
            Resources: resources,
            Tags: set.map(([Key, Value]) => ({ Key, Value })),
          }),
        ),
      );
    if (changes.remove?.length)
      await this.aws(`untagging ${ami.ImageId}`, () =>
        this.clients.ec2.send(
          new DeleteTagsCommand({
            Resources: resources,
            Tags: changes.remove!.map((Key) => ({ Key })),
          }),
        ),
      );
  }

  /** CopyImage (image-copy.ts) from another region of the same account; nothing else. */
  async serverSideCopyFrom(source: CloudAdapter): Promise<AmiRegionCopy | undefined> {
    if (!(source instanceof Ec2Adapter) || source.config.region === this.config.region)
      return undefined;
    const [theirs, ours] = await Promise.all([source.account(), this.account()]);
    if (theirs !== ours) return undefined;
    return regionCopy(this.amiCopies, source.config.region, (id) => source.amiOf(id));
  }

  async health(): Promise<HealthReport> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      await this.reachRegion();
      const latencyMs = elapsed();
      return {
        ok: true,
        latencyMs,
        detail: `EC2 in ${this.config.region} answered in ${latencyMs} ms`,
      };
    } catch (error) {
      return { ok: false, latencyMs: elapsed(), detail: (error as Error).message };
    }
  }

  async close(): Promise<void> {
    this.clients.close();
  }
}
