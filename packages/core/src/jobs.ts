/**
 * The queue contract: BullMQ queue names, job names and payload schemas shared by the API (which
 * enqueues), the daemon (which validates on receipt and runs) and any other program that enqueues
 * directly in Redis. docs/queue-contract.md describes the same contract for people.
 */
import { Compile, Type, type Static, type TSchema } from './typebox';

const Id = Type.String({
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
});
/** An image id as the cloud names it (a Glance UUID, an AMI id). */
const CloudImageId = Type.String({ minLength: 1, maxLength: 255 });
const Who = Type.String({ minLength: 1, maxLength: 255 });
const HashSchema = Type.Object(
  {
    algo: Type.String({ pattern: '^[a-z0-9-]+$' }),
    value: Type.String({ pattern: '^[0-9a-f]+$' }),
  },
  { additionalProperties: false },
);
/** A destination of a copy: the site, and the id its new image gets, fixed when the job is made. */
const Destination = Type.Object(
  { siteId: Id, cloudImageId: CloudImageId },
  { additionalProperties: false },
);
const Destinations = Type.Array(Destination, { minItems: 1, maxItems: 500 });
/**
 * The API request that asked for the job (its X-Request-Id), so the daemon's log lines about the
 * job can be matched to the API's; absent for work nobody asked for (self-healing, schedules).
 */
const RequestId = Type.Optional(Type.String({ minLength: 1, maxLength: 128 }));
const VisibilityPolicy = Type.Union([Type.Literal('private'), Type.Literal('same-as-source')]);

export const CopyJob = Type.Object(
  {
    version: Type.Literal(1),
    ownerId: Id,
    /** The logical image (row of the matrix) being placed. */
    imageId: Id,
    source: Type.Object(
      { siteId: Id, cloudImageId: CloudImageId },
      { additionalProperties: false },
    ),
    destinations: Destinations,
    visibility: VisibilityPolicy,
    /**
     * The name the copies get; the source's when absent. A release names its copies "NAME
     * (VERSION)", so a copy never takes the stable name before the rollout gives it.
     */
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    /**
     * The copies stay hidden once verified (Glance's os_hidden; every copy is hidden until then),
     * as a release's are until their wave gives them the stable name.
     */
    hidden: Type.Optional(Type.Boolean()),
    requestedBy: Who,
    requestId: RequestId,
  },
  { additionalProperties: false },
);

export const DeleteJob = Type.Object(
  {
    version: Type.Literal(1),
    ownerId: Id,
    imageId: Id,
    siteId: Id,
    cloudImageId: CloudImageId,
    /** Delete even the last copy anywhere. Protected and foreign public images are never deleted. */
    force: Type.Boolean(),
    requestedBy: Who,
    requestId: RequestId,
  },
  { additionalProperties: false },
);

export const InventoryJob = Type.Object(
  { version: Type.Literal(1), ownerId: Id, siteId: Id, requestId: RequestId },
  { additionalProperties: false },
);

export const ReconcileJob = Type.Object(
  { version: Type.Literal(1), ownerId: Id },
  { additionalProperties: false },
);

/** One step of a release family's rollout and retirement: whatever is due now. */
export const ReleaseJob = Type.Object(
  { version: Type.Literal(1), ownerId: Id, familyId: Id, requestId: RequestId },
  { additionalProperties: false },
);

export const ImportJob = Type.Object(
  {
    version: Type.Literal(1),
    ownerId: Id,
    url: Type.String({ pattern: '^https?://', maxLength: 2048 }),
    name: Type.String({ minLength: 1, maxLength: 255 }),
    diskFormat: Type.String({ minLength: 1, maxLength: 32 }),
    containerFormat: Type.String({ minLength: 1, maxLength: 32 }),
    expectedSize: Type.Optional(Type.Integer({ minimum: 0 })),
    expectedHash: Type.Optional(HashSchema),
    destinations: Destinations,
    visibility: Type.Union([
      Type.Literal('private'),
      Type.Literal('shared'),
      Type.Literal('community'),
      Type.Literal('public'),
    ]),
    requestedBy: Who,
    requestId: RequestId,
  },
  { additionalProperties: false },
);

export type CopyJob = Static<typeof CopyJob>;
export type DeleteJob = Static<typeof DeleteJob>;
export type InventoryJob = Static<typeof InventoryJob>;
export type ReconcileJob = Static<typeof ReconcileJob>;
export type ImportJob = Static<typeof ImportJob>;
export type ReleaseJob = Static<typeof ReleaseJob>;

/**
 * How long BullMQ keeps a finished job in Redis (its `removeOnComplete` and `removeOnFail`). The
 * jobs table keeps the history; Redis keeps recent jobs of unique ids for their followers (a
 * client's waitUntilFinished), and none of fixed ids (`inventory-<siteId>`), since BullMQ adds a job
 * whose id it still holds no more, so a kept one would block the next.
 */
const keepRecent = { removeOnComplete: { count: 1000 }, removeOnFail: { count: 5000 } } as const;
const removeAtOnce = { removeOnComplete: true, removeOnFail: true } as const;

/**
 * The BullMQ queues by their Redis names, which the queue contract (docs/queue-contract.md) fixes.
 * `transfer` carries every job that moves image bytes (copies and imports): one global limit on
 * transfers.
 */
export const QUEUES = {
  transfer: 'glint-transfer',
  delete: 'glint-delete',
  inventory: 'glint-inventory',
  reconcile: 'glint-reconcile',
  release: 'glint-release',
} as const;

/** Every kind of job: its queue, its BullMQ job name, its payload schema and its retention. */
export const JOBS = {
  copy: { queue: QUEUES.transfer, name: 'copy', schema: CopyJob, retention: keepRecent },
  delete: { queue: QUEUES.delete, name: 'delete', schema: DeleteJob, retention: keepRecent },
  inventory: {
    queue: QUEUES.inventory,
    name: 'inventory',
    schema: InventoryJob,
    retention: removeAtOnce,
  },
  reconcile: {
    queue: QUEUES.reconcile,
    name: 'reconcile',
    schema: ReconcileJob,
    retention: removeAtOnce,
  },
  import: { queue: QUEUES.transfer, name: 'import', schema: ImportJob, retention: keepRecent },
  // One per family at a time (`release-<familyId>`), removed at once so the next step can be added.
  release: {
    queue: QUEUES.release,
    name: 'release',
    schema: ReleaseJob,
    retention: removeAtOnce,
  },
} as const satisfies Record<
  string,
  {
    queue: string;
    name: string;
    schema: TSchema;
    retention: { removeOnComplete: unknown; removeOnFail: unknown };
  }
>;

export type JobKind = keyof typeof JOBS;
export type JobPayload<K extends JobKind> = Static<(typeof JOBS)[K]['schema']>;

/**
 * BullMQ's key prefix for Glint's Redis prefix. BullMQ joins it to the queue name with a colon and
 * ignores ioredis's keyPrefix, so it is given separately; the API and the daemons use the same.
 */
export function queuePrefix(redisKeyPrefix: string): string {
  return redisKeyPrefix.replace(/:$/, '') || 'glint';
}

/**
 * A stage of a copy that the destination's cloud runs itself: an EC2 import task once the bytes went
 * out (`importing`), or a copy the cloud makes between two of its own sites (`copying`).
 */
export type TransferStage = 'importing' | 'copying';

/**
 * How a copy was made: streamed through Glint's transfer engine, or made by the destination's cloud
 * itself (`ec2-copy-image`: an AMI EC2 copied from another region of the account; `glance-download`:
 * a Glance pulling the image from another region of its Keystone). Kept in the job history.
 */
export type CopyMethod = 'stream' | 'ec2-copy-image' | 'glance-download';

/**
 * How a streamed copy's bytes were proven: `ends` compared the digests the destination computed
 * over what it stored with those the source declares (Glint hashed nothing); `hashed` had Glint
 * hash the bytes on the way, once, in `algo`, and compare them with both ends where they have one.
 */
export interface Verification {
  method: 'ends' | 'hashed';
  /** The content hash's algorithm, e.g. `sha512`. */
  algo: string;
}

/** Progress a transfer publishes through BullMQ's job progress, relayed by the API's SSE stream. */
export interface TransferJobProgress {
  totalBytes: number | null;
  bytesRead: number;
  destinations: Array<{
    siteId: string;
    bytes: number;
    bytesPerSecond: number;
    etaSeconds: number | null;
    /** Set while the destination's cloud works on the copy itself (an EC2 import or copy). */
    stage?: TransferStage;
    /** How far that stage is, 0–100. */
    percent?: number;
  }>;
}

/** A job payload that does not match its schema; it fails at once and never touches a cloud. */
export class InvalidJobPayloadError extends Error {
  constructor(
    readonly kind: JobKind,
    readonly problems: string[],
  ) {
    super(`invalid ${kind} job payload: ${problems.join('; ')}`);
    this.name = 'InvalidJobPayloadError';
  }
}

const validators = Object.fromEntries(
  Object.entries(JOBS).map(([kind, job]) => [kind, Compile(job.schema as TSchema)]),
) as Record<JobKind, ReturnType<typeof Compile>>;

/** Checks `data` against the schema of `kind`; returns it typed, or throws saying what is wrong where. */
export function parseJobPayload<K extends JobKind>(kind: K, data: unknown): JobPayload<K> {
  const validator = validators[kind];
  if (validator.Check(data)) return data as JobPayload<K>;
  const problems = validator.Errors(data).map((e) => `${e.instancePath || '/'} ${e.message}`);
  throw new InvalidJobPayloadError(kind, problems);
}
