import { Type } from '@fastify/type-provider-typebox';
import { awsTokenPattern, Name, Secret, Url } from './common';

/** An AWS region code, e.g. eu-west-1. */
export const Region = Type.String({
  pattern: '^[a-z]{2}(-[a-z]+)+-\\d+$',
  maxLength: 32,
  description: 'An AWS region code, e.g. eu-west-1',
});

/** What an EC2 account's regions share: everything but the keys. */
export const Ec2Settings = {
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

export const Ec2AccountSettings = Type.Object(Ec2Settings, {
  additionalProperties: false,
  title: 'EC2 account settings',
});

/** One region of an EC2 account, as a site: the account's settings plus the region. */
export const Ec2SiteConfig = Type.Object(
  { region: Region, ...Ec2Settings },
  { additionalProperties: false, title: 'EC2 region' },
);

export const Ec2Keys = Type.Object(
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
