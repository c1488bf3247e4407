import { cloudNames, ConfigFileError, parseCloudsYaml } from '@glint/cloud-adapters';

const cloudsYaml = `# as openstacksdk reads it
clouds:
  mycloud:
    auth:
      auth_url: https://keystone.example.org:5000
      username: alice
      project_name: images
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    interface: public
    identity_api_version: 3
  appcred:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://keystone.example.org:5000/v3/
      application_credential_id: 4f1c2a
      application_credential_secret: s3cr3t
    region_name: RegionTwo
  named-appcred:
    auth_type: "v3applicationcredential"
    auth:
      auth_url: https://keystone.example.org/v3
      application_credential_name: backup
      username: bob
      domain_name: Corp
  insecure:
    auth:
      auth_url: https://10.0.0.5:5000/v3
      user_id: 0a1b2c
      password: 12345
      project_id: 9f8e7d
    verify: false
    cacert: /etc/ssl/private-ca.pem
`;

const secureYaml = `clouds:
  mycloud:
    auth:
      password: "from secure.yaml"
  other:
    auth:
      password: unrelated
`;

function parseError(run: () => unknown): ConfigFileError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigFileError);
    return error as ConfigFileError;
  }
  throw new Error('expected the file to be refused');
}

describe('parseCloudsYaml', () => {
  it('merges secure.yaml over clouds.yaml for the chosen cloud', () => {
    const parsed = parseCloudsYaml(cloudsYaml, 'mycloud', secureYaml);
    expect(parsed.config).toEqual({
      type: 'openstack',
      authUrl: 'https://keystone.example.org:5000/v3',
      interface: 'public',
      region: 'RegionOne',
      projectName: 'images',
      projectDomainName: 'Default',
      userDomainName: 'Default',
    });
    expect(parsed.credential).toEqual({
      kind: 'password',
      username: 'alice',
      password: 'from secure.yaml',
    });
    expect(parsed.warnings).toEqual([]);
  });

  it('lets secure.yaml override clouds.yaml key by key', () => {
    const parsed = parseCloudsYaml(
      cloudsYaml,
      'mycloud',
      'clouds:\n  mycloud:\n    region_name: RegionThree\n    auth:\n      password: pw\n',
    );
    expect(parsed.config).toMatchObject({
      region: 'RegionThree',
      projectName: 'images',
      authUrl: 'https://keystone.example.org:5000/v3',
    });
  });

  it('warns when the password is in neither file', () => {
    expect(parseCloudsYaml(cloudsYaml, 'mycloud').warnings).toEqual([
      expect.stringMatching(/no password \(clouds\.mycloud\.auth\.password\): enter it separately/),
    ]);
  });

  it('reads an application credential by id', () => {
    const parsed = parseCloudsYaml(cloudsYaml, 'appcred');
    expect(parsed.config).toEqual({
      type: 'openstack',
      authUrl: 'https://keystone.example.org:5000/v3',
      interface: 'public',
      region: 'RegionTwo',
    });
    expect(parsed.credential).toEqual({
      kind: 'application_credential',
      id: '4f1c2a',
      secret: 's3cr3t',
    });
  });

  it('reads an application credential by name, with domain_name as the user domain', () => {
    const parsed = parseCloudsYaml(cloudsYaml, 'named-appcred');
    expect(parsed.credential).toEqual({
      kind: 'application_credential',
      name: 'backup',
      username: 'bob',
    });
    expect(parsed.config.userDomainName).toBe('Corp');
    expect(parsed.warnings).toEqual([expect.stringMatching(/no application credential secret/)]);
  });

  it('maps verify: false to insecure, returns cacert as a path, and stringifies numbers', () => {
    const parsed = parseCloudsYaml(cloudsYaml, 'insecure');
    expect(parsed.config).toMatchObject({ insecure: true, projectId: '9f8e7d' });
    expect(parsed.caBundlePath).toBe('/etc/ssl/private-ca.pem');
    expect(parsed.credential).toEqual({ kind: 'password', userId: '0a1b2c', password: '12345' });
  });

  it('lists the clouds a file defines', () => {
    expect(cloudNames(cloudsYaml)).toEqual(['mycloud', 'appcred', 'named-appcred', 'insecure']);
  });

  it('names the clouds present when the cloud is unknown', () => {
    expect(parseError(() => parseCloudsYaml(cloudsYaml, 'nope')).message).toBe(
      'clouds.yaml: has no cloud named "nope"; it has "mycloud", "appcred", "named-appcred", "insecure": choose one of those',
    );
  });

  it('reports YAML syntax errors with the line, without quoting the file', () => {
    const error = parseError(() =>
      parseCloudsYaml('clouds:\n  c:\n    auth:\n      password: "hunter2\n', 'c'),
    );
    expect(error.line).toBe(4);
    expect(error.message).toMatch(
      /^clouds\.yaml line 4: is not valid YAML \(.+\): fix the syntax there$/,
    );
    expect(error.message).not.toContain('hunter2');
  });

  it('reports syntax errors in secure.yaml as secure.yaml', () => {
    const error = parseError(() =>
      parseCloudsYaml(cloudsYaml, 'mycloud', 'clouds:\n  mycloud:\n    auth: {password: [\n'),
    );
    expect(error.file).toBe('secure.yaml');
    expect(error.message).toMatch(/^secure\.yaml line \d+: is not valid YAML/);
  });

  it('refuses aliases to nothing, circular aliases and alias bombs as a file error, not a crash', () => {
    const lol = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++)
      lol.push(
        `${'abcdefgh'[i]}: &${'abcdefgh'[i]} [${Array(9)
          .fill(`*${'abcdefgh'[i - 1]}`)
          .join(', ')}]`,
      );
    for (const [text, file] of [
      ['*hi', 'clouds.yaml'],
      ['clouds: &c {c: *c}', 'clouds.yaml'],
      [`${lol.join('\n')}\nclouds: {}\n`, 'clouds.yaml'],
    ]) {
      const error = parseError(() => parseCloudsYaml(text!, 'c'));
      expect([text, error.file]).toEqual([text, file]);
      expect(error.message).toMatch(/is not usable YAML \(.+\): fix its aliases/);
    }
    expect(parseError(() => parseCloudsYaml(cloudsYaml, 'mycloud', '*nothing')).file).toBe(
      'secure.yaml',
    );
  });

  it('refuses a file without clouds', () => {
    expect(parseError(() => parseCloudsYaml('other: 1\n', 'c')).message).toMatch(
      /^clouds\.yaml: has no "clouds:" mapping at the top level/,
    );
  });

  it('refuses a cloud without auth_url, pointing at the cloud', () => {
    const error = parseError(() =>
      parseCloudsYaml('clouds:\n  c:\n    auth:\n      username: u\n', 'c'),
    );
    expect(error.message).toBe(
      "clouds.yaml line 3: clouds.c.auth.auth_url is missing: set it to Keystone's v3 URL, e.g. https://keystone.example.org:5000/v3",
    );
  });

  it('says so when auth_url would come from a vendor profile', () => {
    expect(
      parseError(() =>
        parseCloudsYaml(
          'clouds:\n  c:\n    profile: vexxhost\n    auth:\n      username: u\n',
          'c',
        ),
      ).message,
    ).toMatch(
      /^clouds\.yaml line 3: cloud "c" takes its auth_url from the vendor profile "vexxhost", which Glint does not read/,
    );
  });

  it('refuses Keystone v2 and unsupported auth types, at their line', () => {
    const v2 =
      'clouds:\n  c:\n    identity_api_version: 2\n    auth:\n      auth_url: http://k:5000\n      username: u\n';
    expect(parseError(() => parseCloudsYaml(v2, 'c')).message).toMatch(
      /^clouds\.yaml line 3: Keystone v2 is not supported/,
    );
    const token = 'clouds:\n  c:\n    auth_type: token\n    auth:\n      auth_url: http://k:5000\n';
    expect(parseError(() => parseCloudsYaml(token, 'c')).message).toMatch(
      /^clouds\.yaml line 3: clouds\.c\.auth_type=token is not supported: use password or v3applicationcredential/,
    );
  });

  it('warns about auth settings Glint does not use', () => {
    const parsed = parseCloudsYaml(
      'clouds:\n  c:\n    auth:\n      auth_url: http://k/v3\n      username: u\n      password: p\n      project_id: x\n      user_domain_id: default\n      system_scope: all\n',
      'c',
    );
    expect(parsed.warnings).toEqual(['clouds.c.auth.system_scope is not used by Glint']);
  });

  it('refuses a list where a single value belongs', () => {
    expect(
      parseError(() => parseCloudsYaml('clouds:\n  c:\n    auth:\n      auth_url: [a, b]\n', 'c'))
        .message,
    ).toBe(
      'clouds.yaml line 4: clouds.c.auth.auth_url must be a single value, not a list or mapping',
    );
  });
});
