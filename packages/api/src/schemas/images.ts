import { Type, type Static } from '@fastify/type-provider-typebox';
import { ByteCount, CellState, Name, Timestamp, Url, Uuid } from './common';

const DiskFormat = Type.Enum(
  ['raw', 'qcow2', 'vmdk', 'vdi', 'vhd', 'vhdx', 'iso', 'ami', 'ari', 'aki', 'ploop'],
  { description: 'The disk format the sites record' },
);
const ContainerFormat = Type.Enum(
  ['bare', 'ovf', 'ova', 'ami', 'ari', 'aki', 'docker', 'compressed'],
  { default: 'bare' },
);
const Sites = Type.Array(Uuid('A site to put the image on'), {
  minItems: 1,
  maxItems: 500,
  uniqueItems: true,
});
const Visibility = Type.Enum(['private', 'shared', 'community', 'public'], { default: 'private' });
const ContentHash = Type.Object(
  {
    algo: Type.String({ pattern: '^[a-z0-9-]+$', maxLength: 32 }),
    value: Type.String({ pattern: '^[0-9a-f]+$', maxLength: 256 }),
  },
  { additionalProperties: false },
);

export const ImportBody = Type.Object(
  {
    url: Url('Where the daemon fetches the image from; internal addresses are refused'),
    name: Name('The image’s name on the sites'),
    diskFormat: DiskFormat,
    containerFormat: ContainerFormat,
    sites: Sites,
    visibility: Visibility,
    expectedSize: Type.Optional(ByteCount('Refuse data of another size')),
    expectedHash: Type.Optional(
      Type.Object(ContentHash.properties, {
        additionalProperties: false,
        description: 'Refuse other content; finds copies already present',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ImportBody = Static<typeof ImportBody>;

export const ImportQueued = Type.Object({
  status: Type.Literal('queued'),
  jobId: Type.String({
    description: 'The import job, as GET /api/v1/jobs/{id} and the events name it',
  }),
});

export const ImportPresent = Type.Object({
  status: Type.Literal('present'),
  message: Type.String(),
  images: Type.Array(
    Type.Object({ id: Uuid('A logical image with this content'), name: Type.String() }),
  ),
});

export const UploadQuery = Type.Object(
  {
    site: Sites,
    name: Name('The image’s name on the sites'),
    diskFormat: DiskFormat,
    containerFormat: ContainerFormat,
    visibility: Visibility,
    size: Type.Optional(ByteCount('The length the data must have; checked')),
  },
  { additionalProperties: false },
);
export type UploadQuery = Static<typeof UploadQuery>;

export const Uploaded = Type.Object({
  bytes: Type.Number({ description: 'Bytes received and sent to every site' }),
  contentHash: Type.Union([ContentHash, Type.Null()]),
  sites: Type.Array(
    Type.Object({
      siteId: Uuid('The site'),
      outcome: Type.Enum(['copied', 'failed']),
      cloudImageId: Type.Union([Type.String(), Type.Null()]),
      error: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
});

export const ImageParams = Type.Object({ id: Uuid('The logical image') });

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);
const Hash = Nullable(Type.Object({ algo: Type.String(), value: Type.String() }));

const SiteCopy = Type.Object({
  cloudImageId: Type.String({ description: 'The site’s own id of the copy' }),
  name: Type.String(),
  status: Type.String({ description: 'As the site reports it: active, queued, saving, killed…' }),
  hash: Hash,
  checksum: Nullable(Type.String({ description: 'The site’s md5' })),
  size: Nullable(Type.Number()),
  diskFormat: Nullable(Type.String()),
  containerFormat: Nullable(Type.String()),
  visibility: Type.String(),
  protected: Type.Boolean(),
  cloudOwner: Nullable(Type.String({ description: 'The project that owns it on the site' })),
  glintSourceSite: Nullable(Type.String({ description: 'Glint’s marker: copied from this site' })),
  glintSourceImage: Nullable(
    Type.String({ description: 'Glint’s marker: copied from this image' }),
  ),
  glintContentHash: Nullable(Type.String({ description: 'Glint’s marker: algo:hex' })),
  seenAt: Timestamp('When the inventory, or the job that made it, last saw it'),
});

export const ImageDetails = Type.Object({
  id: Uuid('The logical image (name + content hash)'),
  name: Type.String(),
  hash: Hash,
  size: Nullable(Type.Number()),
  diskFormat: Nullable(Type.String()),
  containerFormat: Nullable(Type.String()),
  visibilities: Type.Array(Type.String()),
  conflict: Type.Boolean({ description: 'Other content under the same name' }),
  related: Type.Array(Uuid('Same content under another name')),
  sites: Type.Array(
    Type.Object({
      siteId: Uuid('The site'),
      siteName: Type.String(),
      state: CellState('The matrix cell’s state'),
      wanted: Nullable(Type.Boolean()),
      message: Type.Optional(Type.String({ description: 'An error cell’s message' })),
      copies: Type.Array(SiteCopy, { description: 'What the site holds of it; usually one' }),
    }),
    { description: 'Every one of your sites, in the matrix’s column order' },
  ),
});
export type ImageDetails = Static<typeof ImageDetails>;
