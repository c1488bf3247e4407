import type { Static } from '@glint/core';
import type { ec2SiteType } from './ec2';
import type { openStackSiteType } from './openstack';

export * from './adapter';
export * from './errors';
export * from './error-class';
export * from './diagnostics';
export * from './registry';
export * from './release-naming';
export { guardedConnector, outboundRefusal } from './outbound';
export { Agent, request } from './http-client';
export * from './openstack';
export * from './transfer';
export * from './ec2';

/**
 * A site's configuration as the API takes and shows it, for TypeScript: each site type's schema.
 * The registry gives the schemas at run time; their types can only be named, here beside the
 * folders' exports.
 */
export type SiteConfigShape =
  Static<typeof openStackSiteType.configSchema> | Static<typeof ec2SiteType.configSchema>;
