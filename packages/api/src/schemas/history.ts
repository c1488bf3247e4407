import { Type } from '@fastify/type-provider-typebox';
import { Timestamp, Uuid } from './common';

const Hours = Type.Integer({
  minimum: 1,
  maximum: 24 * 31,
  default: 24,
  description: 'How many hours back, this one included',
});

export const TransferHistoryQuery = Type.Object(
  { hours: Hours, site: Type.Optional(Uuid('Only transfers to this site')) },
  { additionalProperties: false },
);

export const SiteHistoryQuery = Type.Object({ hours: Hours }, { additionalProperties: false });

export const SiteHistoryParams = Type.Object({ id: Uuid('The site') });

const Hour = Timestamp('The hour’s start, UTC');

export const TransferHistory = Type.Object({
  hours: Type.Array(
    Type.Object({
      hour: Hour,
      succeeded: Type.Integer(),
      failed: Type.Integer(),
      cancelled: Type.Integer(),
    }),
    {
      description:
        'Every hour, oldest first: copies, imports and uploads that ended in it, per destination',
    },
  ),
});

export const SiteHistory = Type.Object({
  hours: Type.Array(
    Type.Object({
      hour: Hour,
      bytesIn: Type.Number({
        description: 'Bytes copied onto the site by jobs that ended in the hour',
      }),
      bytesOut: Type.Number({ description: 'Bytes the site sent as a copy’s source' }),
      succeeded: Type.Integer({
        description: 'Its jobs (any operation, either side) that succeeded',
      }),
      failed: Type.Integer({ description: 'Its jobs that failed' }),
    }),
    { description: 'Every hour, oldest first' },
  ),
  inventory: Type.Array(
    Type.Object({
      hour: Hour,
      images: Type.Integer({ description: 'Images the site held after the hour’s last inventory' }),
      bytes: Type.Number({ description: 'Their bytes' }),
    }),
    { description: 'The hours that had an inventory, oldest first' },
  ),
});
