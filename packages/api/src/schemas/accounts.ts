import { Type, type Static } from '@fastify/type-provider-typebox';
import { Ec2AccountSettingsSchema, Ec2KeysSchema, Ec2RegionCode } from '@glint/cloud-adapters';
import { accountNamePattern, Timestamp, Uuid } from './common';

const AccountName = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: accountNamePattern,
  description: 'Unique among your accounts; each region’s site is named <account>/<region>',
});
const Regions = Type.Array(Ec2RegionCode, {
  minItems: 1,
  maxItems: 64,
  uniqueItems: true,
  description: 'The regions to enable, each a site (a matrix column)',
});

export const CreateAccountBody = Type.Object(
  {
    type: Type.Literal('ec2'),
    name: AccountName,
    credential: Ec2KeysSchema,
    regions: Type.Optional(Regions),
    settings: Type.Optional(Ec2AccountSettingsSchema),
  },
  { additionalProperties: false },
);
export type CreateAccountBody = Static<typeof CreateAccountBody>;

export const UpdateAccountBody = Type.Object(
  {
    name: Type.Optional(AccountName),
    regions: Type.Optional(Regions),
    credential: Type.Optional(Ec2KeysSchema),
    settings: Type.Optional(Ec2AccountSettingsSchema),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateAccountBody = Static<typeof UpdateAccountBody>;

export const AccountParams = Type.Object({ id: Uuid('The account’s id') });

const EnabledRegion = Type.Object({
  region: Type.String(),
  siteId: Uuid('The region’s site'),
  name: Type.String({ description: 'The site’s name' }),
});

export const Account = Type.Object({
  id: Uuid('The account’s id'),
  type: Type.Literal('ec2'),
  name: Type.String(),
  settings: Ec2AccountSettingsSchema,
  regions: Type.Array(EnabledRegion, { description: 'The enabled regions' }),
  createdAt: Timestamp('When the account was added'),
  updatedAt: Timestamp('When the account was last changed'),
});

export const AccountDetail = Type.Object({
  ...Account.properties,
  availableRegions: Type.Array(
    Type.Object({
      region: Type.String(),
      optInStatus: Type.String({
        description: 'As AWS says: opt-in-not-required, opted-in, not-opted-in',
      }),
      usable: Type.Boolean(),
      enabled: Type.Boolean({ description: 'Whether Glint keeps images there' }),
    }),
    { description: 'Every region AWS lists for the account, asked live' },
  ),
});

export const AccountList = Type.Object({ accounts: Type.Array(Account) });
