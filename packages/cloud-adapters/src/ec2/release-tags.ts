import type { ReleaseSlot } from '../release-naming';

/** The tags of a release's AMIs. `glint:channel` lists the channels an AMI holds, space-separated. */
export const EC2_RELEASE_TAGS = {
  family: 'glint:family',
  channel: 'glint:channel',
  version: 'glint:version',
  promotedAt: 'glint:promoted-at',
} as const;

/** Where a channel's AMI id is kept in each region, as AWS Image Builder keeps its outputs. */
export const releaseParameter = (slot: ReleaseSlot) => `/glint/${slot.family}/${slot.channel}`;
