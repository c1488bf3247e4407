import { DescribeRegionsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { Ec2Credential, Ec2SiteConfig, OutboundPolicy } from '@glint/core';
import { Ec2Clients } from './clients';
import { cloudErrorFrom } from './errors';

/** A region of an account, and whether the account may use it. */
export interface Ec2Region {
  region: string;
  /** `opt-in-not-required`, `opted-in` or `not-opted-in`, as AWS says. */
  optInStatus: string;
  usable: boolean;
}

/**
 * The regions AWS lists for the account (all, or those named), with their opt-in status, as EC2
 * in the region `ec2` is for says: ask one the account has enabled.
 */
export async function describeRegions(ec2: EC2Client, names?: string[]): Promise<Ec2Region[]> {
  const { Regions } = await ec2.send(
    new DescribeRegionsCommand({ AllRegions: true, ...(names ? { RegionNames: names } : {}) }),
  );
  return (Regions ?? [])
    .flatMap((r) => (r.RegionName ? [r] : []))
    .map((r) => ({
      region: r.RegionName!,
      optInStatus: r.OptInStatus ?? 'opt-in-not-required',
      usable: r.OptInStatus !== 'not-opted-in',
    }))
    .sort((a, b) => a.region.localeCompare(b.region));
}

/** Every region AWS lists for the account, with its opt-in status, asked in us-east-1. */
export async function listEc2Regions(
  config: Ec2SiteConfig,
  credential: Ec2Credential,
  outbound: OutboundPolicy,
): Promise<Ec2Region[]> {
  const clients = new Ec2Clients(config, credential, outbound);
  try {
    return await describeRegions(clients.ec2Home);
  } catch (error) {
    throw cloudErrorFrom(error, 'listing the account’s regions', { region: config.region });
  } finally {
    clients.close();
  }
}
