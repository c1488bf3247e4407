import { Type, type Static } from '@fastify/type-provider-typebox';
import { PageQuery, Timestamp, Uuid } from './common';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const Operation = Type.Enum(['copy', 'delete', 'inventory', 'upload', 'import']);
const State = Type.Enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);

export const Job = Type.Object({
  id: Uuid('The job (one cell of a queue job)'),
  queueJobId: Type.String({ description: 'The queue job; a fanned-out copy shares one' }),
  operation: Operation,
  imageId: Nullable(Uuid('The logical image')),
  sourceSiteId: Nullable(Uuid('Read from')),
  destinationSiteId: Nullable(Uuid('Written to, or deleted from')),
  state: State,
  attempts: Type.Integer(),
  bytesDone: Type.Number(),
  bytesTotal: Nullable(Type.Number()),
  error: Nullable(Type.String({ description: 'Why it failed' })),
  createdAt: Timestamp('When it was asked for'),
  startedAt: Nullable(Timestamp('When a worker took it')),
  finishedAt: Nullable(Timestamp('When it ended')),
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

export const JobParams = Type.Object({ id: Uuid('The job’s id') });
