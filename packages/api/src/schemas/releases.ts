import { Type, type Static } from '@fastify/type-provider-typebox';
import {
  labelKeyPattern,
  labelValuePattern,
  printablePattern,
  STABLE_NAME_MAX_LENGTH,
} from '@glint/core';
import { Name, Timestamp, Uuid } from './common';

const FamilyKey = Type.String({
  pattern: '^[a-z0-9][a-z0-9._-]{0,62}$',
  description: 'The family’s key: lower-case letters, digits, ".", "_" and "-" (e.g. ubuntu-24.04)',
});
const ChannelName = Type.String({
  pattern: '^[a-z][a-z0-9-]{0,31}$',
  description: 'A channel: latest (moved by every publish), stable, candidate, …',
});
const VersionString = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$',
  description: 'The version: letters, digits, ".", "_", "+" and "-" (e.g. 20261206 or 2.3.1)',
});
const Properties = Type.Record(
  Type.String({ pattern: '^[a-z][a-z0-9_:]{0,254}$' }),
  Type.String({ maxLength: 1024 }),
  { description: 'Image properties (SCS-0102 keys among them), as strings', maxProperties: 64 },
);
const Ids = (what: string) => Type.Array(Uuid(what), { maxItems: 500, uniqueItems: true });

export const SiteSelector = Type.Object(
  {
    labels: Type.Optional(
      Type.Record(
        Type.String({ pattern: labelKeyPattern }),
        Type.String({ pattern: labelValuePattern }),
        { maxProperties: 32 },
      ),
    ),
    types: Type.Optional(Type.Array(Type.Enum(['openstack', 'ec2']), { maxItems: 2 })),
    regions: Type.Optional(Type.Array(Name(), { maxItems: 100 })),
    ids: Type.Optional(Ids('A site')),
  },
  {
    additionalProperties: false,
    description: 'Sites by labels, types, regions and ids: every field given must match',
  },
);

const Policy = {
  stableName: Type.String({
    minLength: 1,
    maxLength: STABLE_NAME_MAX_LENGTH,
    pattern: printablePattern,
    description: `The name users and schedulers boot by, e.g. "Ubuntu 24.04": at most ${STABLE_NAME_MAX_LENGTH} characters, so that "NAME (VERSION)" fits Glance's 255`,
  }),
  properties: Type.Optional(Properties),
  requiredProperties: Type.Optional(
    Type.Array(Type.String({ pattern: '^[a-z][a-z0-9_:]{0,254}$' }), {
      maxItems: 32,
      uniqueItems: true,
      description: 'Properties each version must carry to be published (SCS-0102’s by default)',
    }),
  ),
  sites: SiteSelector,
  waves: Type.Optional(
    Type.Array(SiteSelector, {
      maxItems: 16,
      description: 'Waves in order; the target sites no wave matches form the last',
    }),
  ),
  soakSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86400 })),
  manualWaves: Type.Optional(
    Type.Boolean({ description: 'Each wave after the first waits for POST …/waves/next' }),
  ),
  prestage: Type.Optional(
    Type.Boolean({
      description:
        'Copy each version to every wave’s sites at once (hidden, under "NAME (VERSION)"), the waves gating only the stable name (default true); false: a wave’s sites get their copies once it starts',
    }),
  ),
  failureThreshold: Type.Optional(
    Type.Number({
      minimum: 0,
      exclusiveMaximum: 1,
      description: 'Share of a wave’s sites that may fail',
    }),
  ),
  follows: Type.Optional(ChannelName),
  keepMode: Type.Optional(Type.Enum(['last', 'until', 'forever'])),
  keepLast: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  graceSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 * 86400 })),
};

export const FamilyBody = Type.Object(
  { name: FamilyKey, ...Policy },
  { additionalProperties: false },
);
export type FamilyBody = Static<typeof FamilyBody>;

export const FamilyChanges = Type.Partial(Type.Object(Policy, { additionalProperties: false }), {
  additionalProperties: false,
  minProperties: 1,
});

export const FamilyParams = Type.Object({
  family: Type.String({
    pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
    description: 'The family’s key or id',
  }),
});

export const Family = Type.Object({
  id: Type.String(),
  name: Type.String(),
  stableName: Type.String(),
  properties: Type.Record(Type.String(), Type.String()),
  requiredProperties: Type.Array(Type.String()),
  sites: Type.Unknown(),
  waves: Type.Array(Type.Unknown()),
  soakSeconds: Type.Integer(),
  manualWaves: Type.Boolean(),
  prestage: Type.Boolean({ description: 'Copies go to every wave’s sites at once' }),
  failureThreshold: Type.Number(),
  follows: Type.String(),
  keepMode: Type.String(),
  keepLast: Type.Integer(),
  graceSeconds: Type.Integer(),
  createdAt: Timestamp('When it was made'),
  updatedAt: Timestamp('When its policy last changed'),
});

export const Families = Type.Object({ families: Type.Array(Family) });

const SiteState = Type.Object({
  siteId: Type.String(),
  siteName: Type.String(),
  wave: Type.Integer({ description: 'The wave the site is in (0 first)' }),
  state: Type.Enum(
    ['missing', 'copying', 'failed', 'present', 'stable', 'hidden', 'retiring', 'deleted'],
    {
      description: 'present: copied and verified, not yet holding the stable name',
    },
  ),
  cloudImageId: Type.Union([Type.String(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()], {
    description: 'Why the last step there failed: the copy (state failed), a switch, a delete',
  }),
});

export const Version = Type.Object({
  id: Type.String(),
  version: Type.String(),
  imageId: Type.String(),
  imageName: Type.String(),
  hash: Type.Union([Type.Object({ algo: Type.String(), value: Type.String() }), Type.Null()]),
  provenance: Type.Record(Type.String(), Type.String()),
  publishedAt: Timestamp('When it was published'),
  channels: Type.Array(Type.String()),
  wave: Type.Integer({ description: 'The rollout’s current wave (0 first)' }),
  haltedReason: Type.Union([Type.String(), Type.Null()]),
  retiredAt: Type.Union([Timestamp('When retention retired it'), Type.Null()]),
  sites: Type.Array(SiteState),
});
export type Version = Static<typeof Version>;

export const FamilyDetails = Type.Object({
  family: Family,
  channels: Type.Array(
    Type.Object({
      name: Type.String(),
      versionId: Type.String(),
      version: Type.String(),
      previousVersion: Type.Union([Type.String(), Type.Null()]),
      movedAt: Type.String(),
    }),
  ),
  waves: Type.Array(Type.Array(Type.String(), { description: 'Site ids' })),
  versions: Type.Array(Version),
});
export type FamilyDetails = Static<typeof FamilyDetails>;

export const PublishBody = Type.Object(
  {
    image: Uuid('The logical image to publish (a matrix row): its content is the version'),
    version: Type.Optional(VersionString),
    properties: Type.Optional(Properties),
  },
  { additionalProperties: false },
);
export type PublishBody = Static<typeof PublishBody>;

export const PromoteBody = Type.Object(
  {
    version: VersionString,
    channel: Type.Optional(ChannelName),
  },
  { additionalProperties: false },
);

export const ChannelBody = Type.Object(
  { channel: Type.Optional(ChannelName) },
  { additionalProperties: false },
);

export const HaltBody = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) },
  { additionalProperties: false },
);
