import type { Redis } from 'ioredis';
import type { TransferStage } from './jobs';
import { Compile, Type, type Static } from './typebox';
import { ReleaseEventSchema, type ReleaseEvent } from './releases';
/**
 * Change events for clients (the API's Server-Sent Events stream), published on Redis pub/sub by
 * whoever changes something: the API when it queues or cancels jobs, the daemon when a job moves or
 * an inventory lands. Each user has a channel of their own, so a subscriber to one user's channel
 * can never see another user's events.
 */
export type GlintEvent =
  | {
      type: 'job';
      queueJobId: string;
      operation: string;
      state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
      imageId: string | null;
      siteIds: string[];
      bytes?: number;
      bytesPerSecond?: number;
      /** Seconds left at the current rate; null while unknown. */
      etaSeconds?: number | null;
      /** The destination's own stage (an EC2 import task or copy), and how far it is. */
      stage?: TransferStage;
      percent?: number;
      error?: string;
    }
  | {
      /** Cells of these sites (and images, when known) may look different now: read the matrix again. */
      type: 'cells';
      siteIds: string[];
      imageIds?: string[];
    }
  | {
      /**
       * The project's standing rules changed (created, replaced or removed): read them again
       * (GET /api/v1/rules). The cells they place follow as `cells` events.
       */
      type: 'rules';
      /** The project (the channel's owner). */
      ownerId: string;
      /** The rules changed, by name. */
      names: string[];
    }
  /** A release changed: published, a wave started, a site switched names, a rollout halted, ... */
  | ReleaseEvent;

/** The pub/sub channel of one user's events, under Glint's Redis prefix. */
export function eventChannel(redisKeyPrefix: string, ownerId: string): string {
  return `${redisKeyPrefix}events:${ownerId}`;
}

/** Publishes users' change events for the API's streams. */
export type PublishEvents = (ownerId: string, events: GlintEvent[]) => Promise<void>;

/** Publishing on `redis` (a connection without ioredis's keyPrefix) under Glint's Redis prefix. */
export function redisEventPublisher(redis: Redis, redisKeyPrefix: string): PublishEvents {
  return async (ownerId, events) => {
    const channel = eventChannel(redisKeyPrefix, ownerId);
    await Promise.all(events.map((event) => redis.publish(channel, JSON.stringify(event))));
  };
}

const Ids = Type.Array(Type.String({ minLength: 1, maxLength: 255 }));

/**
 * The events as JSON Schema (TypeBox), for programs that read the channels or the SSE stream:
 * `parseGlintEvent` checks one. Types are open to more members; each one's fields are closed.
 */
export const GlintEventSchema = Type.Union([
  Type.Object(
    {
      type: Type.Literal('job'),
      queueJobId: Type.String({ minLength: 1 }),
      operation: Type.String({ minLength: 1 }),
      state: Type.Enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
      imageId: Type.Union([Type.String(), Type.Null()]),
      siteIds: Ids,
      bytes: Type.Optional(Type.Number({ minimum: 0 })),
      bytesPerSecond: Type.Optional(Type.Number({ minimum: 0 })),
      etaSeconds: Type.Optional(Type.Union([Type.Number({ minimum: 0 }), Type.Null()])),
      stage: Type.Optional(Type.Enum(['importing', 'copying'])),
      percent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
      error: Type.Optional(Type.String()),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('cells'), siteIds: Ids, imageIds: Type.Optional(Ids) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('rules'),
      ownerId: Type.String({ minLength: 1 }),
      names: Type.Array(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }), { minItems: 1 }),
    },
    { additionalProperties: false },
  ),
  ReleaseEventSchema,
]);

// The schema and the type agree: each is assignable to the other (which checks the required fields;
// an optional one left out of either is not caught here, so the test's samples hold them to it).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const schemaMatchesType: Same<Static<typeof GlintEventSchema>, GlintEvent> = true;
void schemaMatchesType;

export class InvalidEventError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid event: ${problems.join('; ')}`);
    this.name = 'InvalidEventError';
  }
}

const eventValidator = Compile(GlintEventSchema);

/** Checks one event (a channel's message, parsed); returns it typed, or throws saying what is wrong. */
export function parseGlintEvent(data: unknown): GlintEvent {
  if (eventValidator.Check(data)) return data as GlintEvent;
  throw new InvalidEventError(
    eventValidator.Errors(data).map((e) => `${e.instancePath || '/'} ${e.message}`),
  );
}
