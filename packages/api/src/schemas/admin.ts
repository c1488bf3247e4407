import { Type } from '@fastify/type-provider-typebox';
import { PageQuery, Uuid } from './common';
import { Job } from './jobs';
import { Site } from './sites';

const Owner = { ownerId: Uuid('The project that owns it') };
const Page = Type.Object({ offset: Type.Integer(), limit: Type.Integer(), total: Type.Integer() });

export const AdminPageQuery = Type.Object(
  {
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const AdminSiteList = Type.Object({
  sites: Type.Array(Type.Object({ ...Site.properties, ...Owner })),
});

export const AdminJobList = Type.Object({
  jobs: Type.Array(Type.Object({ ...Job.properties, ...Owner })),
  page: Page,
});

export const AdminImageList = Type.Object({
  images: Type.Array(
    Type.Object({
      id: Uuid('The logical image'),
      ...Owner,
      name: Type.String(),
      hashAlgo: Type.Union([Type.String(), Type.Null()]),
      hashValue: Type.Union([Type.String(), Type.Null()]),
      copies: Type.Integer({ description: 'Copies the sites hold' }),
    }),
  ),
  page: Page,
});
