/**
 * The README's IAM policies against the code: the actions the EC2 adapter can call, derived from the
 * AWS SDK commands its modules send, are exactly the actions the keys' policy allows; the vmimport
 * role's policy lets VM Import read every bucket Glint names by default.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allows } from '../../../test-support/ec2-emulator/policies';
import { defaultStagingBucket } from '../src/ec2/staging';
import { readmePolicies } from './readme-iam-policies';

const sources = join(__dirname, '../src/ec2');

/**
 * The IAM action each S3 and STS operation needs (AWS's Service Authorization Reference); EC2's
 * and SSM's actions are named as their operations. An operation missing here fails the test until it is added.
 */
const s3Actions: Record<string, string> = {
  AbortMultipartUpload: 's3:AbortMultipartUpload',
  CompleteMultipartUpload: 's3:PutObject',
  CreateBucket: 's3:CreateBucket',
  CreateMultipartUpload: 's3:PutObject',
  DeleteObject: 's3:DeleteObject',
  HeadBucket: 's3:ListBucket',
  HeadObject: 's3:GetObject',
  ListMultipartUploads: 's3:ListBucketMultipartUploads',
  ListParts: 's3:ListMultipartUploadParts',
  PutBucketLifecycleConfiguration: 's3:PutLifecycleConfiguration',
  UploadPart: 's3:PutObject',
};
const stsActions: Record<string, string | undefined> = {
  // "No permissions are required to perform this operation."
  GetCallerIdentity: undefined,
  AssumeRole: 'sts:AssumeRole',
};

/** Every `…Command` a module imports from an AWS SDK client and constructs, by client. */
function commandsSent(): Array<{ client: string; operation: string }> {
  const sent: Array<{ client: string; operation: string }> = [];
  for (const file of readdirSync(sources).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(sources, file), 'utf8');
    for (const [, names, client] of text.matchAll(
      /import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-(\w+)'/g,
    ))
      for (const name of names!.split(',').map((n) => n.trim()))
        if (/^\w+Command$/.test(name) && text.includes(`new ${name}(`))
          sent.push({ client: client!, operation: name.replace(/Command$/, '') });
  }
  return sent;
}

function actionOf({ client, operation }: { client: string; operation: string }): string[] {
  if (client === 'ec2')
    // Passing the vmimport role to VM Import is iam:PassRole.
    return operation.startsWith('Import')
      ? [`ec2:${operation}`, 'iam:PassRole']
      : [`ec2:${operation}`];
  // SSM's actions are named as its operations too.
  if (client === 'ssm') return [`ssm:${operation}`];
  const table = client === 's3' ? s3Actions : stsActions;
  if (!(operation in table)) throw new Error(`map ${client} ${operation} to its IAM action`);
  return table[operation] ? [table[operation]!] : [];
}

const actionsIn = (...policies: { Statement: Array<{ Action: string | string[] }> }[]) =>
  [...new Set(policies.flatMap((p) => p.Statement.flatMap((s) => [s.Action].flat())))].sort();

test('the README’s IAM policy for Glint’s keys allows exactly the actions the EC2 adapter can call (#13)', () => {
  const sent = commandsSent();
  expect(sent.length).toBeGreaterThan(20);
  const needed = [...new Set(sent.flatMap(actionOf))].sort();
  const { keys, assumeRole } = readmePolicies();
  expect(actionsIn(keys, assumeRole)).toEqual(needed);
});

test('the README’s vmimport role policy lets VM Import read the staged disk in every default bucket, in every region (#13 item 5)', () => {
  const { vmimport, vmimportTrust } = readmePolicies();
  for (const region of ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'me-south-1', 'me-central-1']) {
    const bucket = `arn:aws:s3:::${defaultStagingBucket('123456789012', region)}`;
    for (const action of ['s3:GetBucketLocation', 's3:ListBucket'])
      expect([region, action, allows(vmimport, action, bucket)]).toEqual([region, action, true]);
    expect(allows(vmimport, 's3:GetObject', `${bucket}/glint/copy.disk`)).toBe(true);
  }
  expect(allows(vmimport, 's3:GetObject', 'arn:aws:s3:::someone-elses-bucket/x')).toBe(false);
  expect(JSON.stringify(vmimportTrust)).toContain('vmie.amazonaws.com');
});
