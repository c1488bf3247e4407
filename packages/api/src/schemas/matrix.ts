import { Type, type Static } from '@fastify/type-provider-typebox';
import { matrixSortKeys } from '@glint/store';
import { CellState, PageQuery, printablePattern, Timestamp, Uuid } from './common';
import { Labels } from './sites';

export const MatrixQuery = Type.Object(
  {
    name: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        pattern: printablePattern,
        description: 'Part of the name, any case',
      }),
    ),
    visibility: Type.Optional(Type.Enum(['public', 'private', 'shared', 'community'])),
    conflicts: Type.Optional(
      Type.Boolean({ description: 'Only images whose name another content shares' }),
    ),
    image: Type.Optional(
      Type.Array(Uuid('A logical image'), {
        maxItems: 500,
        description: 'Only these images (repeat the parameter): the rows an event said changed',
      }),
    ),
    sort: Type.Optional(
      Type.Enum(
        matrixSortKeys.flatMap((key) => [key, `-${key}`]),
        {
          description:
            'The row order: name, size, created (when Glint first saw the image) or copies (how many sites hold one); a leading "-" reverses it. Ties go by name, then content. Default: name',
        },
      ),
    ),
    group: Type.Optional(
      Type.Literal('family', {
        description:
          "family: the rows that are a release family's versions are left out of rows (and the total) and each such family with rows passing the filter is in families, for the family row that expands to them (read with family=ID), with its place in the sort's order (at)",
      }),
    ),
    family: Type.Optional(
      Uuid(
        "Only the rows that are this release family's versions, newest published first (sort orders only the rows of one version)",
      ),
    ),
    label: Type.Optional(
      Type.Array(
        Type.String({
          pattern:
            '^[^=\\u0000-\\u001F\\u007F-\\u009F]{1,317}=[^=\\u0000-\\u001F\\u007F-\\u009F]{0,63}$',
          description: 'key=value',
        }),
        {
          maxItems: 32,
          description:
            'Only the columns (sites) carrying this label, as key=value (repeat the parameter: all must match)',
        },
      ),
    ),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type MatrixQuery = Static<typeof MatrixQuery>;

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const Cell = Type.Object({
  siteId: Uuid('The column'),
  state: CellState('What the image is on the site, or what is under way there'),
  wanted: Nullable(Type.Boolean({ description: 'The desired state; null when never said' })),
  selfHeal: Type.Enum(['off', 'restore', 'restore-and-prune'], {
    description: 'What Glint does on its own when the cell drifts: its own policy, else its site’s',
  }),
  drift: Type.Optional(
    Type.Enum(['missing', 'unwanted'], {
      description:
        'The cell differs from the desired state and no job is under way: a wanted copy is gone, or an unwanted one is there',
    }),
  ),
  cloudImageId: Nullable(Type.String({ description: 'The copy the site holds' })),
  hidden: Type.Optional(
    Type.Literal(true, {
      description:
        'The copy is hidden on the site (Glance os_hidden: left out of listings, bootable by id), e.g. an older release version',
    }),
  ),
  bytes: Type.Optional(Type.Number()),
  bytesTotal: Type.Optional(Nullable(Type.Number())),
  bytesPerSecond: Type.Optional(Type.Number()),
  stage: Type.Optional(
    Type.Enum(['importing', 'copying'], {
      description:
        'The site works on the copy itself: an EC2 import task on the bytes it received, or an AMI copied by EC2 from another region',
    }),
  ),
  percent: Type.Optional(
    Type.Number({ minimum: 0, maximum: 100, description: 'How far that stage is' }),
  ),
  message: Type.Optional(Type.String()),
  placedBy: Type.Optional(
    Type.Union(
      [
        Type.Object({ kind: Type.Literal('rule'), rule: Type.String() }),
        Type.Object({ kind: Type.Literal('hand'), overrides: Type.Optional(Type.String()) }),
      ],
      {
        description:
          'Who decided the desired state: a rule (by name; wanted says whether it still wants the cell or prunes it), or a hand tick, which overrides rules both ways (overrides names the rule a hand "not here" beats); absent when nothing says',
      },
    ),
  ),
});

const Row = Type.Object({
  id: Uuid('The logical image'),
  name: Type.String(),
  hash: Nullable(Type.Object({ algo: Type.String(), value: Type.String() })),
  size: Nullable(Type.Number()),
  createdAt: Timestamp('When Glint first saw the image'),
  copies: Type.Integer({ description: 'How many sites hold a copy' }),
  diskFormat: Nullable(Type.String()),
  containerFormat: Nullable(Type.String()),
  visibilities: Type.Array(Type.String()),
  conflict: Type.Boolean({ description: 'Other content under the same name: never merged' }),
  related: Type.Array(Uuid('Same content under another name')),
  release: Nullable(
    Type.Object(
      {
        familyId: Uuid('The release family'),
        family: Type.String(),
        versionId: Uuid('The version'),
        version: Type.String(),
      },
      { description: 'The release version this image is (by content, whatever its name)' },
    ),
  ),
  cells: Type.Array(Cell, { description: 'One per column, in the columns’ order' }),
});

const VersionRef = Type.Object({ versionId: Uuid('The version'), version: Type.String() });

const FamilySite = Type.Object({
  siteId: Uuid('The column'),
  stable: Nullable(VersionRef),
  rollout: Type.Enum(['current', 'rolling-out', 'halted', 'outside'], {
    description:
      'current: the version the stable name follows holds it here; rolling-out: not yet (its wave, copy or switch is to come); halted: not yet, and the rollout is halted; outside: not one of the family’s sites',
  }),
});

const Family = Type.Object({
  id: Uuid('The release family'),
  name: Type.String(),
  stableName: Type.String({ description: 'The name users boot by' }),
  target: Nullable(VersionRef),
  halted: Nullable(Type.String({ description: 'Why the target’s rollout halted' })),
  rows: Type.Integer({ description: 'How many rows passing the filter are its versions' }),
  at: Type.Optional(
    Type.Integer({
      minimum: 0,
      description:
        "Grouped by family: where the family row goes, as how many rows (of the whole sorted list, not the page) come before it. By name it sorts by the family's name; by size, created or copies by its newest published version's row among those passing the filter",
    }),
  ),
  sites: Type.Array(FamilySite, {
    description: 'One per column, in the columns’ order: which version holds the stable name there',
  }),
});

export const Matrix = Type.Object({
  columns: Type.Array(
    Type.Object({
      id: Uuid('The site'),
      name: Type.String(),
      type: Type.String(),
      region: Nullable(Type.String()),
      labels: Labels,
    }),
  ),
  rows: Type.Array(Row),
  families: Type.Array(Family, {
    description:
      "The release families of the rows, by name, with which version holds the stable name on each site; grouped by family: of the rows left out, in the sort's order, each with its place (at)",
  }),
  page: Type.Object({ offset: Type.Integer(), limit: Type.Integer(), total: Type.Integer() }),
});
export type Matrix = Static<typeof Matrix>;
