import type { OpenStackCredential, OpenStackSiteConfig } from '@glint/core';
import type { SiteTypeFacts } from '../registry';

/** What Glint knows of OpenStack sites apart from their adapter (registered in ./index). */
export const openStackSiteType: SiteTypeFacts<OpenStackSiteConfig> = {
  type: 'openstack',
  label: 'OpenStack',
  credentialKinds: {
    password: {
      secretFields: ['password'],
      form: { loginField: 'username', loginLabel: 'User name', secretLabel: 'password' },
    },
    application_credential: {
      secretFields: ['secret'],
      form: {
        loginField: 'id',
        loginLabel: 'Application credential ID',
        secretLabel: 'application credential’s secret',
      },
    },
  },
  configDefaults: { interface: 'public' },
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
