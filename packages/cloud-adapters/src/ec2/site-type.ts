import { awsTokenPattern, Name, Secret, Type, Url, type Ec2SiteConfig } from '@glint/core';
import type { SiteTypeFacts } from '../registry';

/** An AWS region code, e.g. eu-west-1. */
export const Ec2RegionCode = Type.String({
  pattern: '^[a-z]{2}(-[a-z]+)+-\\d+$',
  maxLength: 32,
  description: 'An AWS region code, e.g. eu-west-1',
});

/** What an EC2 account's regions share: everything but the keys. */
const ec2Settings = {
  bucket: Type.Optional(
    Type.String({
      pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
      description:
        'The S3 bucket images are staged in, owned by the account; else Glint creates glint-staging-<account id>-<region>-an in each region, in S3’s account-regional namespace',
    }),
  ),
  importRole: Type.Optional(
    Name('The IAM service role VM Import acts as; vmimport when not given'),
  ),
  importMode: Type.Optional(
    Type.Enum(['image', 'snapshot'], {
      description: 'image: ImportImage (the default); snapshot: ImportSnapshot, then RegisterImage',
    }),
  ),
  endpoints: Type.Optional(
    Type.Object(
      {
        ec2: Type.Optional(Url('EC2 endpoint to use instead of AWS’s')),
        s3: Type.Optional(Url('S3 endpoint (an S3-compatible gateway) to use instead of AWS’s')),
        sts: Type.Optional(Url('STS endpoint to use instead of AWS’s')),
        ssm: Type.Optional(Url('SSM endpoint to use instead of AWS’s (release parameters)')),
      },
      { additionalProperties: false },
    ),
  ),
  roleArn: Type.Optional(
    Type.String({
      pattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/.+$',
      maxLength: 2048,
      description: 'A role to assume with the keys',
    }),
  ),
  externalId: Type.Optional(Name('The external id the role’s trust policy asks for')),
};

/** An EC2 account's settings as the API takes and shows them (routes/api/accounts). */
export const Ec2AccountSettingsSchema = Type.Object(ec2Settings, {
  additionalProperties: false,
  title: 'EC2 account settings',
});

/** One region of an EC2 account, as a site: the account's settings plus the region. */
const Ec2RegionConfig = Type.Object(
  { region: Ec2RegionCode, ...ec2Settings },
  { additionalProperties: false, title: 'EC2 region' },
);

/** An account's keys as the API takes them. */
export const Ec2KeysSchema = Type.Object(
  {
    kind: Type.Literal('ec2_keys'),
    accessKeyId: Type.String({ pattern: '^[A-Z0-9]{16,128}$', description: 'The access key id' }),
    secretAccessKey: Secret('The secret access key; never returned', awsTokenPattern),
    sessionToken: Type.Optional(
      Secret('The session token of temporary keys; never returned', awsTokenPattern),
    ),
  },
  { additionalProperties: false, title: 'AWS access keys' },
);

/** What Glint knows of EC2 regions as sites apart from their adapter (registered in ./index). */
export const ec2SiteType: SiteTypeFacts<Ec2SiteConfig, typeof Ec2RegionConfig> = {
  type: 'ec2',
  label: 'Amazon EC2',
  credentialKinds: {
    ec2_keys: {
      schema: Ec2KeysSchema,
      secretFields: ['secretAccessKey', 'sessionToken'],
      form: {
        loginField: 'accessKeyId',
        loginLabel: 'Access key ID',
        secretLabel: 'secret access key',
      },
    },
  },
  configSchema: Ec2RegionConfig,
  configDefaults: {},
  addedAs: 'account region',
  // A copy's id is Glint's own (the staging key, the import's ClientToken), so an upload resumes.
  // Glint imports into EC2 but does not export from it; regions of one account copy AMIs themselves.
  capabilities: {
    resumableUploads: true,
    readable: false,
    serverSideCopy: true,
    importStage: true,
    // AMI names cannot change: an SSM parameter per channel names the AMI, overwritten in one call.
    releaseNaming: { stableName: 'parameter', duringSwitch: 'exactly-one' },
  },
  loginOf(principal, config) {
    const role = config.roleArn;
    const as = typeof role === 'string' ? ` as ${role.replace(/^.*:role\//, 'role ')}` : '';
    return `keys ${typeof principal.accessKeyId === 'string' ? principal.accessKeyId : ''}${as}`;
  },
};
