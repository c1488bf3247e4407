import { ConfigFileError, parseOpenrc } from '@glint/cloud-adapters';

/** What Horizon's "OpenStack RC File" download looks like for a v3 cloud, prompt included. */
const horizonOpenrc = `#!/usr/bin/env bash
# To use an OpenStack cloud you need to authenticate against the Identity
# service named keystone, which returns a **Token** and **Service Catalog**.
# The catalog contains the endpoints for all services the user/tenant has
# access to - such as Compute, Image Service, Identity, Object Storage, Block
# Storage, and Networking (code-named nova, glance, keystone, swift,
# cinder, and neutron).
#
# *NOTE*: Using the 3 *Identity API* does not necessarily mean any other
# OpenStack API is version 3. For example, your cloud provider may implement
# Image API v1.1, Block Storage API v2, and Compute API v2.0. OS_AUTH_URL is
# only for the Identity API served through keystone.
export OS_AUTH_URL=https://keystone.example.org:5000/v3
# With the addition of Keystone we have standardized on the term **project**
# as the entity that owns the resources.
export OS_PROJECT_ID=8c6a5f0b3e2d4c1a9f7e6d5c4b3a2910
export OS_PROJECT_NAME="demo"
export OS_USER_DOMAIN_NAME="Default"
if [ -z "$OS_USER_DOMAIN_NAME" ]; then unset OS_USER_DOMAIN_NAME; fi
export OS_PROJECT_DOMAIN_ID="default"
if [ -z "$OS_PROJECT_DOMAIN_ID" ]; then unset OS_PROJECT_DOMAIN_ID; fi
# unset v2.0 items in case set
unset OS_TENANT_ID
unset OS_TENANT_NAME
# In addition to the owning entity (tenant), OpenStack stores the entity
# performing the action as the **user**.
export OS_USERNAME="demo"
# With Keystone you pass the keystone password.
echo "Please enter your OpenStack Password for project $OS_PROJECT_NAME as user $OS_USERNAME: "
read -sr OS_PASSWORD_INPUT
export OS_PASSWORD=$OS_PASSWORD_INPUT
# If your configuration has multiple regions, we set that information here.
# OS_REGION_NAME is optional and only valid in certain environments.
export OS_REGION_NAME="RegionOne"
# Don't leave a blank variable, unset it if it was empty
if [ -z "$OS_REGION_NAME" ]; then unset OS_REGION_NAME; fi
export OS_INTERFACE=public
export OS_IDENTITY_API_VERSION=3
`;

function parseError(text: string): ConfigFileError {
  try {
    parseOpenrc(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigFileError);
    return error as ConfigFileError;
  }
  throw new Error('expected the openrc file to be refused');
}

const minimal =
  'export OS_AUTH_URL=http://keystone:5000/v3\nexport OS_USER_DOMAIN_NAME=Default\nexport OS_PROJECT_DOMAIN_NAME=Default\n';

describe('parseOpenrc', () => {
  it('reads a Horizon v3 openrc with its password prompt, leaving the password out', () => {
    const parsed = parseOpenrc(horizonOpenrc);
    expect(parsed.config).toEqual({
      type: 'openstack',
      authUrl: 'https://keystone.example.org:5000/v3',
      interface: 'public',
      region: 'RegionOne',
      projectId: '8c6a5f0b3e2d4c1a9f7e6d5c4b3a2910',
      userDomainName: 'Default',
    });
    expect(parsed.credential).toEqual({ kind: 'password', username: 'demo' });
    expect(parsed.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^line 31: OS_PASSWORD takes its value from \$OS_PASSWORD_INPUT, which is only known when the file is sourced/,
        ),
        expect.stringMatching(/no password \(OS_PASSWORD\): enter it separately/),
      ]),
    );
  });

  it('reads the assignment forms shells accept', () => {
    const parsed = parseOpenrc(
      [
        'OS_AUTH_URL=http://keystone:5000',
        "export OS_USERNAME='alice'",
        'export OS_PASSWORD="pa ss\\"word\\\\ \\$HOME \\x"',
        'export OS_PROJECT_NAME=demo   # the project',
        "export OS_USER_DOMAIN_NAME=$'De\\x66ault'",
        'export OS_PROJECT_DOMAIN_NAME=Default;export OS_REGION_NAME=Region1',
        'export OS_INTERFACE=internalURL OS_INSECURE=true',
        'export OS_CACERT=/etc/ssl/certs/cloud\\ ca.pem',
      ].join('\n'),
    );
    expect(parsed.config).toEqual({
      type: 'openstack',
      authUrl: 'http://keystone:5000/v3',
      interface: 'internal',
      region: 'Region1',
      projectName: 'demo',
      projectDomainName: 'Default',
      userDomainName: 'Default',
      insecure: true,
    });
    expect(parsed.credential).toEqual({
      kind: 'password',
      username: 'alice',
      password: 'pa ss"word\\ $HOME \\x',
    });
    expect(parsed.caBundlePath).toBe('/etc/ssl/certs/cloud ca.pem');
    expect(parsed.warnings).toEqual([]);
  });

  it('handles CRLF line endings, a byte-order mark, blank and comment lines', () => {
    const parsed = parseOpenrc(
      `\uFEFF# comment\r\n\r\n${minimal.replace(/\n/g, '\r\n')}export OS_USERNAME=bob\r\nexport OS_PASSWORD=secret\r\nexport OS_PROJECT_NAME=p\r\n`,
    );
    expect(parsed.config.authUrl).toBe('http://keystone:5000/v3');
    expect(parsed.credential).toEqual({ kind: 'password', username: 'bob', password: 'secret' });
  });

  it('keeps a # inside a value and expands variables the file sets itself', () => {
    const parsed = parseOpenrc(
      `${minimal}HOST=keystone.example.org\nexport OS_AUTH_URL="https://\${HOST}:5000/v3"\nexport OS_USERNAME=bob\nexport OS_PASSWORD=a#b\nexport OS_PROJECT_NAME=p`,
    );
    expect(parsed.config.authUrl).toBe('https://keystone.example.org:5000/v3');
    expect(parsed.credential).toEqual({ kind: 'password', username: 'bob', password: 'a#b' });
  });

  it('treats a password from a command substitution as not given', () => {
    const parsed = parseOpenrc(
      `${minimal}export OS_USERNAME=bob\nexport OS_PASSWORD="$(pass show cloud)"\nexport OS_PROJECT_NAME=p`,
    );
    expect(parsed.credential).toEqual({ kind: 'password', username: 'bob' });
    expect(parsed.warnings[0]).toMatch(
      /line 5: OS_PASSWORD takes its value from \$\(pass show cloud\)/,
    );
  });

  it('prefers OS_PROJECT_* to the v2-era OS_TENANT_* names', () => {
    const parsed = parseOpenrc(
      `${minimal}export OS_USERNAME=u\nexport OS_TENANT_NAME=old\nexport OS_PROJECT_NAME=new`,
    );
    expect(parsed.config.projectName).toBe('new');
  });

  it('reads an application-credential openrc', () => {
    const parsed = parseOpenrc(
      [
        'export OS_AUTH_TYPE=v3applicationcredential',
        'export OS_AUTH_URL=https://keystone.example.org/identity/v3',
        'export OS_IDENTITY_API_VERSION=3',
        'export OS_REGION_NAME="RegionOne"',
        'export OS_INTERFACE=public',
        'export OS_APPLICATION_CREDENTIAL_ID=21dced0fd20347869b93710d2b98aae0',
        'export OS_APPLICATION_CREDENTIAL_SECRET=s3cr3t',
      ].join('\n'),
    );
    expect(parsed.config).toEqual({
      type: 'openstack',
      authUrl: 'https://keystone.example.org/identity/v3',
      interface: 'public',
      region: 'RegionOne',
    });
    expect(parsed.credential).toEqual({
      kind: 'application_credential',
      id: '21dced0fd20347869b93710d2b98aae0',
      secret: 's3cr3t',
    });
    expect(parsed.warnings).toEqual([]);
  });

  it('warns that a project is ignored with an application credential, and that the secret is missing', () => {
    const parsed = parseOpenrc(
      `${minimal}export OS_AUTH_TYPE=v3applicationcredential\nexport OS_APPLICATION_CREDENTIAL_NAME=backup\nexport OS_USERNAME=bob\nexport OS_PROJECT_NAME=p`,
    );
    expect(parsed.credential).toEqual({
      kind: 'application_credential',
      name: 'backup',
      username: 'bob',
    });
    expect(parsed.config.projectName).toBeUndefined();
    expect(parsed.warnings.join('\n')).toMatch(
      /ignored: an application credential is bound to its own project/,
    );
    expect(parsed.warnings.join('\n')).toMatch(
      /no application credential secret \(OS_APPLICATION_CREDENTIAL_SECRET\)/,
    );
  });

  it('refuses an unterminated quote, naming the line and column', () => {
    const error = parseError(
      `${minimal}export OS_USERNAME=u\nexport OS_PASSWORD="abc\nexport OS_PROJECT_NAME=p`,
    );
    expect(error.line).toBe(5);
    expect(error.message).toBe(
      'openrc line 5: the double quote at column 20 is never closed: close it on the same line',
    );
    expect(error.message).not.toContain('abc');
  });

  it('refuses an unterminated single quote', () => {
    expect(parseError("export OS_AUTH_URL='http://k:5000/v3").message).toMatch(
      /^openrc line 1: the single quote at column 20 is never closed/,
    );
  });

  it('refuses a line that is not shell an openrc uses', () => {
    const error = parseError(`${minimal}export OS_USERNAME=u\nthis is not an openrc line\n`);
    expect(error.message).toBe(
      'openrc line 5: "this is not an openrc line" is not something an openrc file should contain: remove it, or write settings as export OS_NAME=value',
    );
  });

  it('refuses a line continuation', () => {
    expect(parseError('export OS_AUTH_URL=http://k:5000/v3 \\\n').message).toMatch(
      /^openrc line 1: ends with a backslash/,
    );
  });

  it('refuses a file without OS_AUTH_URL', () => {
    const error = parseError('export OS_USERNAME=u\nexport OS_PASSWORD=p\n');
    expect(error.message).toBe(
      "openrc: OS_AUTH_URL is missing: set it to Keystone's v3 URL, e.g. https://keystone.example.org:5000/v3",
    );
  });

  it('refuses Keystone v2, by version or by URL', () => {
    expect(
      parseError(`${minimal}export OS_USERNAME=u\nexport OS_IDENTITY_API_VERSION=2`).message,
    ).toMatch(
      /^openrc line 5: Keystone v2 is not supported \(OS_IDENTITY_API_VERSION=2\): Glint needs Keystone v3/,
    );
    expect(
      parseError('export OS_AUTH_URL=http://k:5000/v2.0\nexport OS_USERNAME=u').message,
    ).toMatch(
      /^openrc line 1: OS_AUTH_URL: .*v2 API, which Glint does not support: use the v3 URL/,
    );
  });

  it('refuses an unknown auth type, a bad interface, and a non-boolean OS_INSECURE', () => {
    expect(parseError(`${minimal}export OS_USERNAME=u\nexport OS_AUTH_TYPE=token`).message).toMatch(
      /^openrc line 5: OS_AUTH_TYPE=token is not supported: use password or v3applicationcredential/,
    );
    expect(
      parseError(`${minimal}export OS_USERNAME=u\nexport OS_INTERFACE=private`).message,
    ).toMatch(/line 5: OS_INTERFACE=private is not an endpoint interface/);
    expect(parseError(`${minimal}export OS_USERNAME=u\nexport OS_INSECURE=maybe`).message).toMatch(
      /line 5: OS_INSECURE=maybe is neither true nor false/,
    );
  });

  it('refuses a file that names no user', () => {
    expect(parseError(`${minimal}export OS_PASSWORD=p`).message).toMatch(
      /neither OS_USERNAME nor OS_USER_ID is set/,
    );
  });

  it('warns about a user or project named without its domain', () => {
    const parsed = parseOpenrc(
      'export OS_AUTH_URL=http://k/v3\nexport OS_USERNAME=u\nexport OS_PASSWORD=p\nexport OS_PROJECT_NAME=x',
    );
    expect(parsed.warnings).toEqual([
      expect.stringMatching(/OS_USERNAME is set without the user's domain/),
      expect.stringMatching(/OS_PROJECT_NAME is set without the project's domain/),
    ]);
  });

  it('uses OS_DOMAIN_NAME as the default for both domains', () => {
    const parsed = parseOpenrc(
      'export OS_AUTH_URL=http://k/v3\nexport OS_USERNAME=u\nexport OS_PASSWORD=p\nexport OS_PROJECT_NAME=x\nexport OS_DOMAIN_NAME=Corp',
    );
    expect(parsed.config).toMatchObject({ userDomainName: 'Corp', projectDomainName: 'Corp' });
    expect(parsed.warnings).toEqual([]);
  });

  it('warns about a sourced file it does not follow', () => {
    const parsed = parseOpenrc(
      `${minimal}. ~/.cloud-secrets\nexport OS_USERNAME=u\nexport OS_PASSWORD=p\nexport OS_PROJECT_NAME=x`,
    );
    expect(parsed.warnings).toEqual([
      expect.stringMatching(/^line 4: the file sources ~\/\.cloud-secrets, which is not read/),
    ]);
  });
});
