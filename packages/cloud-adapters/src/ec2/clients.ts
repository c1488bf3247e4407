import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import type { SSMClient, SSMClientConfig } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Ec2Credential, Ec2SiteConfig, OutboundPolicy } from '@glint/core';
import { guardedRequestHandler } from '../outbound';

/** What the SDK clients sign with. */
interface SigningKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/**
 * The SDK's standard retry strategy: throttling (RequestLimitExceeded, SlowDown) and 5xx are retried
 * with exponential backoff and jitter, up to this many attempts; what still fails goes to the job,
 * which retries later.
 */
const MAX_ATTEMPTS = 6;

/**
 * Where STS is asked, and where EC2 is asked which regions the account has enabled, whatever the
 * site's region. In a region the account has not enabled, STS refuses the keys as invalid
 * (InvalidClientTokenId) and EC2 answers AuthFailure, both of which would read as bad keys. AWS
 * recommends a regional STS endpoint over the global one, whose session tokens are not valid in
 * opt-in regions; us-east-1 is the region every account has and cannot disable.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_enable-regions.html
 */
export const HOME_REGION = 'us-east-1';

/** Assumed-role keys are renewed this long before they expire. */
const RENEW_MARGIN_MS = 5 * 60_000;

/** The keys of a role assumed with the account's keys, renewed before they expire. */
function assumedRole(
  config: Ec2SiteConfig,
  base: SigningKeys,
  stsOptions: ConstructorParameters<typeof STSClient>[0],
): () => Promise<SigningKeys> {
  const sts = new STSClient({ ...stsOptions, credentials: base });
  let current: Promise<SigningKeys> | undefined;
  let expiresAt = 0;
  return () => {
    if (!current || Date.now() > expiresAt - RENEW_MARGIN_MS) {
      current = sts
        .send(
          new AssumeRoleCommand({
            RoleArn: config.roleArn,
            RoleSessionName: 'glint',
            ...(config.externalId ? { ExternalId: config.externalId } : {}),
          }),
        )
        .then(({ Credentials: c }) => {
          if (!c?.AccessKeyId || !c.SecretAccessKey)
            throw new Error(`AssumeRole of ${config.roleArn} returned no keys`);
          expiresAt = c.Expiration?.getTime() ?? Date.now() + 15 * 60_000;
          return {
            accessKeyId: c.AccessKeyId,
            secretAccessKey: c.SecretAccessKey,
            ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
            expiration: new Date(expiresAt),
          };
        });
      current.catch(() => {
        current = undefined;
      });
    }
    return current;
  };
}

/**
 * The SDK clients of one region of one account: EC2 and S3 in the region, STS and EC2 in
 * us-east-1, with the endpoint overrides. Every connection, to AWS or to an override, is under
 * `outbound`.
 */
export class Ec2Clients {
  readonly ec2: EC2Client;
  /**
   * EC2 in us-east-1, to ask about regions before calling one that may not be enabled. An
   * `endpoints.ec2` override serves it too (one endpoint for every region, as the emulator).
   */
  readonly ec2Home: EC2Client;
  readonly s3: S3Client;
  readonly sts: STSClient;
  private ssmClient?: SSMClient;
  /** What the SSM client is made with, when first asked for. */
  private readonly ssmOptions: SSMClientConfig;

  constructor(config: Ec2SiteConfig, credential: Ec2Credential, outbound: OutboundPolicy) {
    const keys: SigningKeys = {
      accessKeyId: credential.accessKeyId,
      secretAccessKey: credential.secretAccessKey,
      ...(credential.sessionToken ? { sessionToken: credential.sessionToken } : {}),
    };
    const common = {
      region: config.region,
      maxAttempts: MAX_ATTEMPTS,
      retryMode: 'standard',
      requestHandler: guardedRequestHandler(outbound),
    };
    const endpoints = config.endpoints ?? {};
    const stsOptions = {
      ...common,
      region: HOME_REGION,
      ...(endpoints.sts ? { endpoint: endpoints.sts } : {}),
    };
    const credentials = config.roleArn ? assumedRole(config, keys, stsOptions) : keys;
    this.sts = new STSClient({ ...stsOptions, credentials });
    const ec2Options = {
      ...common,
      credentials,
      ...(endpoints.ec2 ? { endpoint: endpoints.ec2 } : {}),
    };
    this.ec2 = new EC2Client(ec2Options);
    this.ec2Home = new EC2Client({ ...ec2Options, region: HOME_REGION });
    this.ssmOptions = {
      ...common,
      credentials,
      ...(endpoints.ssm ? { endpoint: endpoints.ssm } : {}),
    };
    this.s3 = new S3Client({
      ...common,
      credentials,
      // Glint sends each part's Content-MD5 and SHA-256 itself; the SDK's own CRC checksums
      // would go as aws-chunked trailers, which not every S3-compatible gateway understands.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(endpoints.s3 ? { endpoint: endpoints.s3, forcePathStyle: true } : {}),
    });
  }

  /**
   * SSM in the region, for releases' parameters only: its module loads on the first release call,
   * as the whole SDK loads on the first EC2 call (./index), so copies never pay for it.
   */
  ssm(): SSMClient {
    const { SSMClient: Client } =
      require('@aws-sdk/client-ssm') as typeof import('@aws-sdk/client-ssm');
    this.ssmClient ??= new Client(this.ssmOptions);
    return this.ssmClient;
  }

  /** The EC2 endpoint the region's calls go to, for messages. */
  ec2Endpoint(config: Ec2SiteConfig): string {
    return config.endpoints?.ec2 ?? `https://ec2.${config.region}.amazonaws.com`;
  }

  close(): void {
    this.ec2.destroy();
    this.ec2Home.destroy();
    this.s3.destroy();
    this.sts.destroy();
    this.ssmClient?.destroy();
  }
}
