import type { Ec2Credential, Ec2SiteConfig } from '@glint/core';
import { registerSiteType } from '../registry';
import { Ec2Adapter } from './adapter';
import { ec2SiteType } from './site-type';

export { Ec2Adapter } from './adapter';
export { listEc2Regions, type Ec2Region } from './regions';
export { defaultStagingBucket } from './staging';
export { cloudErrorFrom, importRoleAdvice, regionNotEnabled } from './errors';
export { imageInfoFromAmi, tagsFor, EC2_TAGS } from './image-mapping';
export { EC2_PROPERTIES, importOptionsFor, type ImportOptions } from './import-options';
export { compositeChecksum, MAX_PARTS, MIN_PART_SIZE, partSizeFor } from './staging-parts';

export { ec2SiteType } from './site-type';

registerSiteType({
  ...ec2SiteType,
  create: (config: Ec2SiteConfig, credential: Ec2Credential, context) =>
    new Ec2Adapter(config, credential, context),
});
