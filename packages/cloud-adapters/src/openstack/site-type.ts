import {
  FileText,
  Name,
  Secret,
  Type,
  Url,
  type OpenStackCredential,
  type OpenStackSiteConfig,
} from '@glint/core';
import type { SiteTypeFacts } from '../registry';

/** Where an OpenStack site is: everything about it except the secret. */
const OpenStackConfig = Type.Object(
  {
    authUrl: Url("Keystone's v3 URL, e.g. https://keystone.example.org:5000/v3"),
    region: Type.Optional(Name('Region of the image endpoint; any region when not given')),
    interface: Type.Optional(
      Type.Enum(['public', 'internal', 'admin'], {
        description: 'Catalog interface; public when not given',
      }),
    ),
    projectName: Type.Optional(Name()),
    projectId: Type.Optional(Name()),
    projectDomainName: Type.Optional(Name()),
    projectDomainId: Type.Optional(Name()),
    userDomainName: Type.Optional(Name()),
    userDomainId: Type.Optional(Name()),
    imageEndpointOverride: Type.Optional(Url('Glance URL to use instead of the catalog’s')),
    caBundle: Type.Optional(
      FileText('PEM bundle to verify the site’s TLS certificates with, instead of the system CAs'),
    ),
    insecure: Type.Optional(Type.Boolean({ description: 'Skip TLS verification' })),
  },
  { additionalProperties: false, title: 'OpenStack site' },
);

const OpenStackPassword = Type.Object(
  {
    kind: Type.Literal('password'),
    username: Type.Optional(Name()),
    userId: Type.Optional(Name()),
    password: Secret('The password; never returned'),
  },
  { additionalProperties: false, title: 'OpenStack password' },
);

const OpenStackApplicationCredential = Type.Object(
  {
    kind: Type.Literal('application_credential'),
    id: Type.Optional(Name()),
    name: Type.Optional(Name()),
    username: Type.Optional(Name()),
    userId: Type.Optional(Name()),
    secret: Secret('The secret; never returned'),
  },
  { additionalProperties: false, title: 'OpenStack application credential' },
);

/** What Glint knows of OpenStack sites apart from their adapter (registered in ./index). */
export const openStackSiteType: SiteTypeFacts<OpenStackSiteConfig, typeof OpenStackConfig> = {
  type: 'openstack',
  label: 'OpenStack',
  credentialKinds: {
    password: {
      schema: OpenStackPassword,
      secretFields: ['password'],
      form: { loginField: 'username', loginLabel: 'User name', secretLabel: 'password' },
    },
    application_credential: {
      schema: OpenStackApplicationCredential,
      secretFields: ['secret'],
      form: {
        loginField: 'id',
        loginLabel: 'Application credential ID',
        secretLabel: 'application credential’s secret',
      },
    },
  },
  configSchema: OpenStackConfig,
  configDefaults: { interface: 'public' },
  addedAs: 'site',
  // Glance never gives a deleted image's id again, and an upload cannot continue where it broke.
  // Regions of one Keystone copy images themselves where their Glance offers glance-download.
  capabilities: {
    resumableUploads: false,
    readable: true,
    serverSideCopy: true,
    importStage: false,
    // Glance renames and hides (os_hidden) one image a request: see ./release-naming.
    releaseNaming: { stableName: 'image-name', duringSwitch: 'one-or-two' },
  },
  loginOf(principal) {
    const { kind, name, id, username, userId } = principal as Record<string, string | undefined>;
    if (kind === 'application_credential') return `app credential ${name ?? id ?? ''}`;
    return username ?? userId ?? kind ?? '';
  },
};

/**
 * The password, or the application credential's secret: whichever the credential's kind logs in
 * with. Undefined when a file left it out.
 */
export function openStackSecretOf(
  credential: Pick<OpenStackCredential, 'kind'> & { password?: string; secret?: string },
): string | undefined {
  const [field] = openStackSiteType.credentialKinds[credential.kind]!.secretFields;
  const secret = (credential as Record<string, unknown>)[field];
  return typeof secret === 'string' ? secret : undefined;
}
