import type { Readable } from 'node:stream';
import type {
  BackoffPolicy,
  CopyMethod,
  ImageStatus,
  OutboundPolicy,
  SiteType,
  TransferStage,
  Visibility,
} from '@glint/core';
import type { ReleaseNaming } from './release-naming';

/** How a copy's visibility is chosen: private unless the operator asks to mirror the source. */
export type VisibilityPolicy = 'private' | 'same-as-source';

/** What an image service reports about one image, in Glance's vocabulary. */
export interface ImageInfo {
  id: string;
  name: string;
  status: ImageStatus;
  /** Bytes of image data; null until data has been uploaded. */
  size: number | null;
  diskFormat: string | null;
  containerFormat: string | null;
  visibility: Visibility;
  protected: boolean;
  minDisk: number;
  minRam: number;
  tags: string[];
  /** md5 of the data (Glance's deprecated `checksum`); null where the cloud does not give one. */
  checksum: string | null;
  /** The multihash (`os_hash_algo` / `os_hash_value`); null for images older than Glance Rocky. */
  hashAlgo: string | null;
  hashValue: string | null;
  owner: string | null;
  /** Every other property, architecture and Glint's markers included, as strings. */
  properties: Record<string, string>;
  createdAt: string | null;
  updatedAt: string | null;
  /** Left out of the service's default listing (Glance's os_hidden); absent where there is no such thing. */
  hidden?: boolean;
}

/** What is needed to create an image record before its data is written. */
export interface ImageSpec {
  /** Supply the id, so a retried create after a crash finds the same record. */
  id?: string;
  name: string;
  diskFormat: string;
  containerFormat: string;
  visibility: Visibility;
  minDisk?: number;
  minRam?: number;
  tags?: string[];
  properties?: Record<string, string>;
  /** Left out of the service's listings from the start; only where the adapter `hidesImages`. */
  hidden?: boolean;
}

/** Server-side filters for listing; an adapter applies what its service supports exactly. */
export interface ImageQuery {
  /** Exact image name. */
  name?: string;
  /**
   * Hidden images too (Glance's os_hidden=true, which its default listing leaves out): what an
   * inventory needs, so a copy hidden on purpose is not taken for gone. A lookup by name leaves
   * them out, as the cloud's users see the name.
   */
  includeHidden?: boolean;
}

export interface PropertyChanges {
  set?: Record<string, string>;
  remove?: string[];
  /** Replaces the tag list whole. */
  tags?: string[];
  /** Hides or shows the image in the service's listings; only where the adapter `hidesImages`. */
  hidden?: boolean;
}

export interface DownloadOptions {
  /** Start at this byte, for resuming an interrupted read. */
  offset?: number;
  signal?: AbortSignal;
}

export interface Download {
  stream: Readable;
  /** The byte the stream starts at. */
  offset: number;
  /** Total image size when the service says it, else null. */
  size: number | null;
}

export interface UploadOptions {
  /** Lets the service check the length it receives. */
  size?: number;
  signal?: AbortSignal;
}

/** The outcome of a live credential check. */
export interface Validation {
  /** The project the credential is scoped to, as the cloud names it. */
  projectId: string;
  userId: string;
  /** The image endpoint chosen from the catalog. */
  imageEndpoint: string;
  /** When the token obtained expires (ISO 8601); null for keys that do not expire. */
  expiresAt: string | null;
}

/**
 * A stage a copy goes through that the service runs itself: an EC2 import task after the bytes went
 * out, or a copy the cloud makes between two of its own sites.
 */
export interface ActivationProgress {
  stage: TransferStage;
  /** How far the stage is, 0–100, as the service reports it. */
  percent: number;
}

export interface AwaitActiveOptions {
  /** How often and how long to ask; a service with a long stage of its own may poll longer. */
  policy: BackoffPolicy;
  signal?: AbortSignal;
  onProgress?: (progress: ActivationProgress) => void;
}

export interface HealthReport {
  ok: boolean;
  /** Round-trip of the cheapest authenticated call, in ms. */
  latencyMs: number;
  detail: string;
}

/** What a copy the cloud makes itself is of, and where it goes. */
export interface ServerSideCopyOptions extends AwaitActiveOptions {
  /** Names the source site in Glint's markers on the copy. */
  sourceKey: string;
  sourceImageId: string;
  /** Glint's id for the copy, fixed by its job, so a retried job finds the copy it started. */
  targetId: string;
  /** The copy's visibility, where the cloud's copy takes one (a Glance image; an AMI stays private). */
  visibility?: VisibilityPolicy;
  /**
   * The copy's name where it is not the source's: a release version's "NAME (VERSION)", as a
   * streamed copy gets it, so that no copy takes the stable name before its wave switches.
   */
  name?: string;
  /** The copy stays hidden once verified (see CopyRequest.hidden). */
  hidden?: boolean;
}

/**
 * A copy a site's cloud can make itself, from an image another of its sites holds, no byte passing
 * through Glint: one capability for every site type that declares `serverSideCopy`.
 */
export interface ServerSideCopy {
  /** How the job history names the method, e.g. `ec2-copy-image`. */
  readonly method: Exclude<CopyMethod, 'stream'>;
  /**
   * Makes the copy, or finds the one an earlier attempt made or started, waits until it is usable,
   * and checks it against the source where the cloud computed digests; a copy that fails or does not
   * match is removed. Resolves undefined when the cloud turned this copy down (the image is not
   * readable there, the copy did not start), so the caller streams it instead: `targetId` may then
   * be spent.
   */
  run(options: ServerSideCopyOptions): Promise<ImageInfo | undefined>;
}

/** What every adapter is made with besides its site's settings and credential: the operator's. */
export interface AdapterContext {
  /** Where the adapter may connect: every URL of the site, and every URL its cloud hands back. */
  outbound: OutboundPolicy;
  /**
   * Where an image is staged while its format is converted (GLINT_CONVERSION_DIR): the operator's,
   * never a site's, as the daemon writes there. The OS's temporary directory when absent.
   */
  conversionDir?: string;
}

/**
 * One site's image service, as the transfer engine and the daemon see it. Implementations map the
 * service's own failures onto the typed errors in ./errors.
 */
export interface CloudAdapter {
  readonly siteType: SiteType;
  /**
   * True when an upload cut short can be resumed under the same image id (the id is the caller's
   * own, not the service's). Such a half-made copy is kept for the next attempt, not deleted.
   */
  readonly resumableUploads: boolean;
  /**
   * True when the service computes digests of the data it receives itself and reports them on the
   * image once active (Glance's `os_hash_value` and `checksum`): a copy to it can be verified by
   * comparing them with the source's, without Glint hashing the bytes.
   */
  readonly digestsReceived: boolean;
  /**
   * True when an image can be kept out of the service's listings while it is there and bootable by
   * id (Glance's os_hidden). A service's image is usable once active, before Glint compared its
   * digests; so a copy is created hidden, as provisional, and shown only once verified: nothing
   * lists, boots or schedules a copy that may yet be deleted as corrupt (./transfer/provisional).
   * False for EC2: an AMI is registered only once its import finished from a staged object that
   * was checked first, so no unverified copy is ever listed there.
   */
  readonly hidesImages: boolean;
  /** Logs in live and checks that an image service is reachable; throws a typed error if not. */
  validate(): Promise<Validation>;
  /** Every image the credential can see that matches the query, all pages. */
  listImages(query?: ImageQuery): AsyncIterable<ImageInfo>;
  getImage(id: string): Promise<ImageInfo>;
  openDownload(id: string, options?: DownloadOptions): Promise<Download>;
  createImage(spec: ImageSpec): Promise<ImageInfo>;
  /** Writes the image data from a stream; resolves once the service accepted all of it. */
  uploadImageData(id: string, data: Readable, options?: UploadOptions): Promise<void>;
  /**
   * Waits until the image whose data was just written is usable, and returns it as it then is:
   * however long the service needs to finish (a Glance still saving, an EC2 import task).
   */
  awaitActive(id: string, options: AwaitActiveOptions): Promise<ImageInfo>;
  deleteImage(id: string): Promise<void>;
  updateProperties(id: string, changes: PropertyChanges): Promise<void>;
  /**
   * The copy this site's cloud can make itself of an image `source` holds (an EC2 region copying an
   * AMI from another region of its account, a Glance pulling from another region of its Keystone);
   * undefined when it cannot, and the image is streamed. Present exactly where the site type's
   * descriptor declares `serverSideCopy` (registry.ts), and only the descriptor is asked.
   */
  serverSideCopyFrom?(source: CloudAdapter): Promise<ServerSideCopy | undefined>;
  /**
   * How this site gives a release family's stable name to one of its images; present exactly when
   * the site type's capabilities declare `releaseNaming`.
   */
  readonly releaseNaming?: ReleaseNaming;
  health(): Promise<HealthReport>;
  /** Releases the site's connections; the adapter is unusable afterwards. */
  close(): Promise<void>;
}
