/**
 * EC2 accounts as `glint site` sees them: an account is added with its keys and its regions become
 * sites named <account>/<region>; removing the account removes them all, removing one region's site
 * disables that region.
 */
import type { ApiClient } from './api-client';
import type { Account } from '@glint/api/replies';
import { UsageError } from './errors';
import { secretOr } from './prompt';

export interface Ec2Options {
  accessKeyId?: string;
  passwordStdin?: boolean;
  region?: string[];
  roleArn?: string;
  ec2Endpoint?: string;
  s3Endpoint?: string;
  stsEndpoint?: string;
  ssmEndpoint?: string;
}

/**
 * The POST /accounts body. The secret comes from stdin when asked (--password-stdin), else
 * AWS_SECRET_ACCESS_KEY, else a prompt without echo on a terminal; it never comes from a flag,
 * which would leave it in the shell's history and the process list.
 */
export async function ec2AccountBody(name: string, options: Ec2Options) {
  const accessKeyId = options.accessKeyId ?? process.env.AWS_ACCESS_KEY_ID;
  if (!accessKeyId)
    throw new UsageError('--ec2 needs an access key id: --access-key-id ID or AWS_ACCESS_KEY_ID');
  const fromEnv = options.passwordStdin ? undefined : process.env.AWS_SECRET_ACCESS_KEY;
  const secretAccessKey =
    fromEnv ||
    (await secretOr(
      Boolean(options.passwordStdin),
      `AWS secret access key for ${accessKeyId}: `,
      '--ec2 needs the secret access key: set AWS_SECRET_ACCESS_KEY, pipe it with --password-stdin, or run on a terminal to be asked',
    ));
  const sessionToken = process.env.AWS_SESSION_TOKEN;
  const endpoints = Object.fromEntries(
    Object.entries({
      ec2: options.ec2Endpoint,
      s3: options.s3Endpoint,
      sts: options.stsEndpoint,
      ssm: options.ssmEndpoint,
    }).filter(([, url]) => url),
  );
  return {
    type: 'ec2',
    name,
    credential: {
      kind: 'ec2_keys',
      accessKeyId,
      secretAccessKey,
      ...(sessionToken ? { sessionToken } : {}),
    },
    ...(options.region?.length ? { regions: options.region } : {}),
    settings: {
      ...(options.roleArn ? { roleArn: options.roleArn } : {}),
      ...(Object.keys(endpoints).length > 0 ? { endpoints } : {}),
    },
  };
}

export async function listAccounts(client: ApiClient): Promise<Account[]> {
  return (await client.get<{ accounts: Account[] }>('/accounts')).accounts;
}

/** An account by its id or its name (in any letter case), if there is one. */
export function findAccount(accounts: Account[], ref: string): Account | undefined {
  return (
    accounts.find((a) => a.id === ref.toLowerCase()) ??
    accounts.find((a) => a.name.toLowerCase() === ref.toLowerCase())
  );
}

/** The account's regions in words: `us-east-1, eu-west-1`. */
export const regionsOf = (account: Account) => account.regions.map((r) => r.region).join(', ');
