import { Type, type Static } from '@fastify/type-provider-typebox';
import { noNulPattern, PageQuery, Timestamp, Uuid } from './common';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const Operation = Type.Enum(['copy', 'delete', 'inventory', 'upload', 'import']);
const State = Type.Enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);

/**
 * A job's id: the queue's (`copy-<uuid>`, …), or whatever id automation enqueued it under; never
 * with a NUL, which no stored id can hold.
 */
const JobId = (description: string) =>
  Type.String({ minLength: 1, maxLength: 255, pattern: noNulPattern, description });

const JobPart = Type.Object({
  siteId: Nullable(Uuid('Written to, or deleted from; null once the site is removed')),
  siteName: Nullable(Type.String({ description: 'The site’s name now' })),
  state: State,
  attempts: Type.Integer(),
  bytesDone: Type.Number(),
  bytesTotal: Nullable(Type.Number()),
  error: Nullable(Type.String({ description: 'Why it failed' })),
  method: Nullable(
    Type.Enum(['stream', 'ec2-copy-image', 'glance-download'], {
      description:
        'How a copy reached this destination, once it ended: streamed through Glint, copied by EC2 itself from another region of the account (CopyImage), or pulled by the Glance of one region of a Keystone from another’s (glance-download); null for other operations',
    }),
  ),
  startedAt: Nullable(Timestamp('When a worker took it')),
  finishedAt: Nullable(Timestamp('When it ended')),
});

export const Job = Type.Object({
  id: JobId(
    'The job’s id, the same in every reply, event and command (glint place, glint jobs, glint retry)',
  ),
  operation: Operation,
  state: State,
  imageId: Nullable(Uuid('The logical image')),
  imageName: Nullable(
    Type.String({
      description:
        'The image’s name when the job was asked for; for an upload or import, the name given',
    }),
  ),
  sourceSiteId: Nullable(Uuid('Read from')),
  sourceSiteName: Nullable(Type.String({ description: 'The source site’s name now' })),
  createdAt: Timestamp('When it was asked for'),
  startedAt: Nullable(Timestamp('When a worker first took it')),
  finishedAt: Nullable(Timestamp('When its last part ended')),
  parts: Type.Array(JobPart, {
    description: 'One per destination: a copy fans out from one source to each of them',
  }),
});

export const JobQuery = Type.Object(
  {
    state: Type.Optional(State),
    operation: Type.Optional(Operation),
    image: Type.Optional(Uuid('Jobs of this image')),
    site: Type.Optional(Uuid('Jobs reading from or writing to this site')),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type JobQuery = Static<typeof JobQuery>;

export const JobList = Type.Object({
  jobs: Type.Array(Job),
  page: Type.Object({ offset: Type.Integer(), limit: Type.Integer(), total: Type.Integer() }),
});

export const JobParams = Type.Object({ id: JobId('The job’s id, as glint jobs shows it') });

export const RetryQuery = Type.Object(
  {
    site: Type.Optional(
      Type.Array(Uuid('A destination whose part failed or was cancelled'), {
        maxItems: 500,
        description:
          'Only these destinations (repeat the parameter); every failed or cancelled one when left out',
      }),
    ),
  },
  { additionalProperties: false },
);
export type RetryQuery = Static<typeof RetryQuery>;
