import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
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

/** Every region AWS lists for the account, with its opt-in status (DescribeRegions). */
export async function listEc2Regions(
  config: Ec2SiteConfig,
  credential: Ec2Credential,
  outbound: OutboundPolicy,
): Promise<Ec2Region[]> {
  const clients = new Ec2Clients(config, credential, outbound);
  try {
    const { Regions } = await clients.ec2.send(new DescribeRegionsCommand({ AllRegions: true }));
    return (Regions ?? [])
      .flatMap((r) => (r.RegionName ? [r] : []))
      .map((r) => ({
        region: r.RegionName!,
        optInStatus: r.OptInStatus ?? 'opt-in-not-required',
        usable: r.OptInStatus !== 'not-opted-in',
      }))
      .sort((a, b) => a.region.localeCompare(b.region));
  } catch (error) {
    throw cloudErrorFrom(error, 'listing the account’s regions', { region: config.region });
  } finally {
    clients.close();
  }
}
