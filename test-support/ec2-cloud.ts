/**
 * An emulated AWS for tests that go through Glint's API, the panel or the CLI: the S3 server and the
 * EC2 emulator started together, with the endpoint overrides an EC2 account needs to use them
 * instead of AWS. The account's keys are the emulator's (AKIA…, as the API's schema asks), so S3
 * does not take them: tests that stage images in S3 need the S3 server's keys instead.
 */
import { startEc2Emulator, type Ec2Account, type Ec2Emulator } from './ec2-emulator';
import { startS3Server, type S3Server } from './s3-server';

export interface Ec2Cloud {
  s3: S3Server;
  ec2: Ec2Emulator;
  /** The emulator's one account: keys, account id, enabled regions. */
  account: Ec2Account;
  /** An EC2 account's `settings.endpoints`: EC2 and STS on the emulator, S3 on the S3 server. */
  endpoints: { ec2: string; s3: string; sts: string };
  close(): Promise<void>;
}

/** Starts both; the S3 server serves `regions` (default us-east-1). Takes 15–50 s. */
export async function startEc2Cloud(regions = ['us-east-1']): Promise<Ec2Cloud> {
  const s3 = await startS3Server({ regions });
  let ec2: Ec2Emulator;
  try {
    ec2 = await startEc2Emulator({ s3 });
  } catch (error) {
    await s3.close();
    throw error;
  }
  return {
    s3,
    ec2,
    account: ec2.accounts[0]!,
    endpoints: { ec2: ec2.endpoint, s3: s3.endpoint, sts: ec2.endpoint },
    async close() {
      await ec2.close();
      await s3.close();
    },
  };
}
