import type { OpenStackCredential, OpenStackSiteConfig } from '@glint/core';
import { registerSiteType } from '../registry';
import { OpenStackAdapter } from './adapter';
import { openStackSiteType } from './site-type';

export { OpenStackAdapter, type OpenStackAdapterOptions } from './adapter';
export { ConfigFileError, type ConfigFileLocation } from './config-file-error';
export { cloudNames, parseCloudsYaml } from './clouds-yaml';
export { GlanceClient, glanceRoot, type GlanceClientOptions } from './glance';
export {
  createSiteAgent,
  errorForNetworkFailure,
  errorForStatus,
  extractServerMessage,
  type ServiceCall,
} from './http';
export {
  glanceCreateBody,
  imageInfoFromGlance,
  propertyPatch,
  type GlanceImage,
  type JsonPatchOperation,
} from './image-mapping';
export {
  authRequestBody,
  KeystoneSession,
  normaliseAuthUrl,
  refreshMarginMs,
  selectImageEndpoint,
  type CatalogEndpoint,
  type CatalogService,
  type KeystoneSessionOptions,
  type KeystoneToken,
  type TokenProvider,
} from './keystone';
export { parseOpenrc } from './openrc';
export {
  GLANCE_RELEASE_MARKERS,
  GlanceReleaseNaming,
  type GlanceReleaseNamingOptions,
} from './release-naming';
export {
  type OpenStackSettings,
  type ParsedSiteFile,
  type PartialOpenStackCredential,
} from './site-settings';

export { openStackSecretOf, openStackSiteType } from './site-type';

registerSiteType({
  ...openStackSiteType,
  create: (config: OpenStackSiteConfig, credential: OpenStackCredential, { outbound }) =>
    new OpenStackAdapter(config, credential, { outbound }),
});
