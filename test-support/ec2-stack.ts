/**
 * An emulated AWS for tests that run Glint whole: the S3 server and the EC2 emulator on loopback,
 * one account whose keys both accept, and that account added to Glint through its API, so each
 * enabled region becomes a site. Also what a test reads back from S3 to see what Glint left there.
 */
import { ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { Ec2AccountSettings, Ec2Credential } from '@glint/core';
import type { FastifyInstance } from 'fastify';
import { defaultStagingBucket } from '../packages/cloud-adapters/src/ec2/staging';
import {
  startEc2Emulator,
  type CopyTiming,
  type Ec2Emulator,
  type PolicyDocument,
  type TaskTiming,
} from './ec2-emulator';
import { outboundAllow } from './sandbox';
import { startS3Server, type S3Server } from './s3-server';

export interface Ec2Stack {
  s3: S3Server;
  ec2: Ec2Emulator;
  /** The account's keys, as `POST /api/v1/accounts` takes them. */
  credential: Ec2Credential;
  /** EC2, STS and SSM on the emulator, S3 on the S3 server: the overrides an account needs. */
  endpoints: { ec2: string; s3: string; sts: string; ssm: string };
  /** The account's settings pointing Glint at the emulated services. */
  settings: Ec2AccountSettings;
  /** GLINT_OUTBOUND_ALLOW for a Glint using this stack: the sandbox's clouds, S3 and the emulator. */
  outboundAllow: string;
  /** An S3 client of the account for `region`, to look into what Glint staged. */
  s3Client(region: string): S3Client;
  /** Where Glint stages images in `region` when the account names no bucket. */
  stagingBucket(region: string): string;
  /** The objects and the unfinished multipart uploads in a bucket, by key. */
  bucketContent(region: string, bucket: string): Promise<{ objects: string[]; uploads: string[] }>;
  close(): Promise<void>;
}

/**
 * Starts both; S3 serves `regions` (default us-east-1), the account may use the emulator's usual
 * regions (us-east-1, us-west-2, eu-west-1) and has the IAM roles `roles` (default the emulator's,
 * vmimport), those named in `rolePolicies` with that permission policy. Takes 15–50 s, most of it
 * Swift.
 */
export async function startEc2Stack(
  options: {
    regions?: string[];
    roles?: string[];
    rolePolicies?: Record<string, PolicyDocument>;
    taskTiming?: TaskTiming;
    copyTiming?: CopyTiming;
  } = {},
): Promise<Ec2Stack> {
  const s3 = await startS3Server({ regions: options.regions ?? ['us-east-1'] });
  let ec2: Ec2Emulator;
  try {
    ec2 = await startEc2Emulator({
      s3,
      // AWS has one set of keys for EC2 and S3; so does this account.
      accounts: [
        {
          accessKeyId: s3.accessKeyId,
          secretAccessKey: s3.secretAccessKey,
          accountId: s3.accountId,
          ...(options.roles && { roles: options.roles }),
          ...(options.rolePolicies && { rolePolicies: options.rolePolicies }),
        },
      ],
      ...(options.taskTiming && { taskTiming: options.taskTiming }),
      ...(options.copyTiming && { copyTiming: options.copyTiming }),
    });
  } catch (error) {
    await s3.close();
    throw error;
  }
  const account = ec2.accounts[0]!;
  const endpoints = { ec2: ec2.endpoint, s3: s3.endpoint, sts: ec2.endpoint, ssm: ec2.endpoint };
  const clients = new Map<string, S3Client>();
  const client = (region: string) => {
    let s3Client = clients.get(region);
    if (!s3Client) {
      s3Client = new S3Client({
        endpoint: s3.endpoint,
        region,
        forcePathStyle: true,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
      clients.set(region, s3Client);
    }
    return s3Client;
  };
  return {
    s3,
    ec2,
    credential: {
      kind: 'ec2_keys',
      accessKeyId: account.accessKeyId,
      secretAccessKey: account.secretAccessKey,
    },
    endpoints,
    settings: { endpoints },
    outboundAllow: outboundAllow(ec2.endpoint, s3.endpoint),
    s3Client: client,
    stagingBucket: (region) => defaultStagingBucket(account.accountId, region),
    async bucketContent(region, bucket) {
      const s3Client = client(region);
      const [listed, uploads] = await Promise.all([
        s3Client.send(new ListObjectsV2Command({ Bucket: bucket })),
        s3Client.send(new ListMultipartUploadsCommand({ Bucket: bucket })),
      ]);
      return {
        objects: (listed.Contents ?? []).map((o) => o.Key!),
        uploads: (uploads.Uploads ?? []).map((u) => u.Key!),
      };
    },
    async close() {
      for (const s3Client of clients.values()) s3Client.destroy();
      await ec2.close();
      await s3.close();
    },
  };
}

/** An account as `POST /api/v1/accounts` answers it. */
export interface AddedAccount {
  id: string;
  regions: Array<{ region: string; siteId: string; name: string }>;
}

/** Adds the stack's account to Glint through its API, with these regions enabled. */
export async function addEc2Account(
  server: FastifyInstance,
  caller: { headers: Record<string, string> },
  stack: Ec2Stack,
  account: { name: string; regions: string[]; settings?: Ec2AccountSettings },
): Promise<AddedAccount> {
  const response = await server.inject({
    method: 'POST',
    url: '/api/v1/accounts',
    headers: caller.headers,
    payload: {
      type: 'ec2',
      name: account.name,
      credential: stack.credential,
      regions: account.regions,
      settings: { ...stack.settings, ...account.settings },
    },
  });
  if (response.statusCode !== 201)
    throw new Error(
      `adding EC2 account ${account.name} failed: ${response.statusCode} ${response.body}`,
    );
  return response.json<AddedAccount>();
}
