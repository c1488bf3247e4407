import { OutboundPolicy } from '@glint/core';
import {
  createAdapter,
  openStackSecretOf,
  siteSecretFields,
  siteType,
  siteTypes,
} from '@glint/cloud-adapters';

const outbound = OutboundPolicy.publicOnly();

describe('the site-type registry', () => {
  test('each adapter folder registers its type, and a type nobody registered is named in the error', () => {
    expect(siteTypes().map((entry) => entry.type)).toEqual(['openstack', 'ec2']);
    expect(() => siteType('vsphere')).toThrow(/no adapter is registered for site type "vsphere"/);
  });

  test.each([
    [{ kind: 'password' as const, username: 'demo', password: 'p' }, 'p', { username: 'demo' }],
    [{ kind: 'application_credential' as const, id: 'ac', secret: 's' }, 's', { id: 'ac' }],
  ])(
    'an OpenStack %o logs in with its secret, kept apart from who logs in',
    (credential, secret, principal) => {
      const openStack = siteType('openstack');
      expect(openStack.secretOf(credential)).toBe(secret);
      expect(openStackSecretOf(credential)).toBe(secret);
      expect(openStack.splitCredential(credential)).toEqual({ principal, secrets: [secret] });
    },
  );

  test('EC2 keys: the secret key first, the session token a secret too, the key id shown', () => {
    const keys = {
      kind: 'ec2_keys',
      accessKeyId: 'AKIA1',
      secretAccessKey: 'k',
      sessionToken: 't',
    };
    const ec2 = siteType('ec2');
    expect(ec2.secretOf(keys)).toBe('k');
    expect(ec2.splitCredential(keys)).toEqual({
      principal: { accessKeyId: 'AKIA1' },
      secrets: ['k', 't'],
    });
    expect(
      ec2.loginOf({ kind: 'ec2_keys', accessKeyId: 'AKIA1' }, { roleArn: 'arn:aws:iam::1:role/x' }),
    ).toBe('keys AKIA1 as role x');
  });

  test('the logs redact every secret field of every type', () => {
    expect(siteSecretFields()).toEqual(
      expect.arrayContaining(['password', 'secret', 'secretAccessKey', 'sessionToken']),
    );
  });

  test('an adapter can resume uploads, and offers a server-side copy, exactly when its type says so', async () => {
    const openStack = createAdapter(
      'openstack',
      { type: 'openstack', authUrl: 'http://k/v3', interface: 'public' },
      { kind: 'password', userId: 'u', password: 'p' },
      { outbound },
    );
    const ec2 = createAdapter(
      'ec2',
      { type: 'ec2', region: 'eu-west-1' },
      { kind: 'ec2_keys', accessKeyId: 'AKIA1', secretAccessKey: 'k' },
      { outbound },
    );
    for (const adapter of [openStack, ec2]) {
      const { capabilities } = siteType(adapter.siteType);
      expect(adapter.resumableUploads).toBe(capabilities.resumableUploads);
      expect(typeof adapter.serverSideCopyFrom === 'function').toBe(capabilities.serverSideCopy);
      await adapter.close();
    }
  });
});
