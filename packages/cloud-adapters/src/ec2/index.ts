import type { Ec2Credential, Ec2SiteConfig } from '@glint/core';
import { registerSiteType } from '../registry';
import { ec2SiteType } from './site-type';

/*
 * The AWS SDK's modules hold about 130 MiB once loaded, two thirds of what a copy process needs in
 * all, so they load on first use: a process that only copies between OpenStack sites never pays.
 */
const adapterModule = () => require('./adapter') as typeof import('./adapter');
const regionsModule = () => require('./regions') as typeof import('./regions');

export type { Ec2Adapter } from './adapter';
export type { Ec2Region } from './regions';
export type { AmiRegionCopy } from './image-copy';
export const listEc2Regions: typeof import('./regions').listEc2Regions = (...args) =>
  regionsModule().listEc2Regions(...args);
export { cloudErrorFrom, importRoleAdvice, regionNotEnabled } from './errors';
export { imageInfoFromAmi, tagsFor, EC2_TAGS } from './image-mapping';
export { EC2_PROPERTIES, importOptionsFor, type ImportOptions } from './import-options';
export { compositeChecksum, MAX_PARTS, MIN_PART_SIZE, partSizeFor } from './staging-parts';
export { Ec2AccountSettingsSchema, Ec2KeysSchema, Ec2RegionCode, ec2SiteType } from './site-type';
export { EC2_RELEASE_TAGS, releaseParameter } from './release-tags';

registerSiteType({
  ...ec2SiteType,
  create: (config: Ec2SiteConfig, credential: Ec2Credential, context) =>
    new (adapterModule().Ec2Adapter)(config, credential, context),
});
