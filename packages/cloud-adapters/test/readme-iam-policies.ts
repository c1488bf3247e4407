/**
 * The IAM policy documents the README's "IAM policies" section gives, in the order it gives them:
 * the keys' policy, the policy for keys that assume a role, the vmimport role's trust policy and
 * its permission policy. Tests hold the adapter and the emulator to them; AWS's sample role
 * policy, which names buckets one by one, is here too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PolicyDocument } from '../../../test-support/ec2-emulator';

export interface ReadmePolicies {
  keys: PolicyDocument;
  assumeRole: PolicyDocument;
  vmimportTrust: unknown;
  vmimport: PolicyDocument;
}

export function readmePolicies(): ReadmePolicies {
  const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('### IAM policies'),
    readme.indexOf('\n## ', readme.indexOf('### IAM policies')),
  );
  const blocks = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map(
    ([, json]) => JSON.parse(json!) as unknown,
  );
  if (blocks.length !== 4)
    throw new Error(`README's IAM policies: 4 JSON documents expected, ${blocks.length} found`);
  const [keys, assumeRole, vmimportTrust, vmimport] = blocks as [
    PolicyDocument,
    PolicyDocument,
    unknown,
    PolicyDocument,
  ];
  return { keys, assumeRole, vmimportTrust, vmimport };
}

/**
 * A vmimport role policy as AWS's sample gives it: the S3 permissions on one named bucket, as an
 * operator who followed it for another bucket has it.
 */
export function oneBucketImportPolicy(bucket: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['s3:GetBucketLocation', 's3:GetObject', 's3:ListBucket'],
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
      },
      {
        Effect: 'Allow',
        Action: [
          'ec2:ModifySnapshotAttribute',
          'ec2:CopySnapshot',
          'ec2:RegisterImage',
          'ec2:Describe*',
        ],
        Resource: '*',
      },
    ],
  };
}
