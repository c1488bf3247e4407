import type { Ec2SiteConfig } from '@glint/core';
import type { SiteTypeFacts } from '../registry';

/** What Glint knows of EC2 regions as sites apart from their adapter (registered in ./index). */
export const ec2SiteType: SiteTypeFacts<Ec2SiteConfig> = {
  type: 'ec2',
  label: 'Amazon EC2',
  credentialKinds: {
    ec2_keys: {
      secretFields: ['secretAccessKey', 'sessionToken'],
      form: {
        loginField: 'accessKeyId',
        loginLabel: 'Access key ID',
        secretLabel: 'secret access key',
      },
    },
  },
  configDefaults: {},
  // A copy's id is Glint's own (the staging key, the import's ClientToken), so an upload resumes.
  // Glint imports into EC2 but does not export from it; regions of one account copy AMIs themselves.
  capabilities: {
    resumableUploads: true,
    readable: false,
    serverSideCopy: true,
    importStage: true,
    // AMI names cannot change: an SSM parameter per channel names the AMI, overwritten in one call.
    releaseNaming: { stableName: 'parameter', duringSwitch: 'exactly-one' },
  },
  loginOf(principal, config) {
    const role = config.roleArn;
    const as = typeof role === 'string' ? ` as ${role.replace(/^.*:role\//, 'role ')}` : '';
    return `keys ${typeof principal.accessKeyId === 'string' ? principal.accessKeyId : ''}${as}`;
  },
};
