/**
 * `glint site add --ec2` and the EC2 parts of `site list/show/rm`, run as a process against the
 * real API and an emulated AWS (the S3 server and the EC2 emulator): bad keys are exit 1 saying what
 * to check, the secret is never printed, an account's regions are sites, and removing a region's
 * site disables the region while removing the account removes them all.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { testEnvironment, type TestEnvironment } from '../../../test-support/test-environment';
import type { AccountDetail, Site } from '@glint/api/replies';
import { startEc2Stack, type Ec2Stack } from '../../../test-support/ec2-stack';
import { bundleGlint, openstackEnv, runGlint } from './glint-process';

let cloud: Ec2Stack;
let env: TestEnvironment;
let server: FastifyInstance;
let dir: string;
let script: string;
let glintEnv: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'glint-cli-ec2-'));
  [cloud, env, script] = await Promise.all([startEc2Stack(), testEnvironment(), bundleGlint(dir)]);
  server = await env.start({ GLINT_OUTBOUND_ALLOW: cloud.outboundAllow });
  await server.listen({ port: 0, host: '127.0.0.1' });
  glintEnv = {
    HOME: dir,
    GLINT_CONFIG_DIR: join(dir, 'config'),
    GLINT_API_URL: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
  };
  const login = await runGlint(script, ['login'], { ...glintEnv, ...openstackEnv() });
  if (login.code !== 0) throw new Error(`glint login failed: ${login.stderr}`);
}, 240_000);

afterAll(async () => {
  await env?.close();
  await cloud?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** `glint` with the AWS_* variables of a shell that exported these keys. */
function glint(args: string[], keys: Record<string, string> = {}, input?: string) {
  return runGlint(script, args, { ...glintEnv, ...keys }, input);
}

const awsKeys = (secret = cloud.credential.secretAccessKey) => ({
  AWS_ACCESS_KEY_ID: cloud.credential.accessKeyId,
  AWS_SECRET_ACCESS_KEY: secret,
});
const endpointFlags = () => [
  '--ec2-endpoint',
  cloud.endpoints.ec2,
  '--s3-endpoint',
  cloud.endpoints.s3,
  '--sts-endpoint',
  cloud.endpoints.sts,
];

test('a wrong secret is exit 1 saying to check the keys, without the secret; nothing is stored', async () => {
  const result = await glint(
    ['site', 'add', 'aws', '--ec2', '--region', 'us-east-1', ...endpointFlags()],
    awsKeys('not-the-secret-at-all'),
  );
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(
    /AWS refused the access keys .*check the access key id and secret.*site_login_rejected.*422/s,
  );
  expect(result.stderr + result.stdout).not.toContain('not-the-secret-at-all');
  expect(await env.query('SELECT * FROM accounts')).toEqual([]);
});

test('without a secret and no terminal to ask on, exit 1 says where to give it', async () => {
  const result = await glint(['site', 'add', 'aws', '--ec2', ...endpointFlags()], {
    AWS_ACCESS_KEY_ID: cloud.credential.accessKeyId,
  });
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(
    '--ec2 needs the secret access key: set AWS_SECRET_ACCESS_KEY, pipe it with --password-stdin',
  );
});

test('an account with two regions from the AWS_* keys: two sites, listed with --json without the secret', async () => {
  const added = await glint(
    [
      'site',
      'add',
      'aws',
      '--ec2',
      '--region',
      'us-east-1',
      '--region',
      'eu-west-1',
      ...endpointFlags(),
    ],
    awsKeys(),
  );
  expect(added.stderr).toBe('');
  expect(added.code).toBe(0);
  expect(added.stdout).toMatch(
    /^Added EC2 account aws \(id [0-9a-f-]{36}\); its regions are sites: aws\/eu-west-1, aws\/us-east-1\.\n$/,
  );

  const list = await glint(['site', 'list', '--json']);
  expect(list.code).toBe(0);
  const sites = JSON.parse(list.stdout) as Site[];
  expect(sites.map((s) => [s.name, s.type, s.config.region, s.account?.name])).toEqual([
    ['aws/eu-west-1', 'ec2', 'eu-west-1', 'aws'],
    ['aws/us-east-1', 'ec2', 'us-east-1', 'aws'],
  ]);
  expect(sites[0]!.credential).toMatchObject({
    kind: 'ec2_keys',
    accessKeyId: cloud.credential.accessKeyId,
  });
  expect(list.stdout).not.toContain(cloud.credential.secretAccessKey);
  expect(list.stdout).not.toContain('secretAccessKey');

  const table = await glint(['site', 'list']);
  expect(table.stdout).toMatch(
    new RegExp(`^aws/eu-west-1 +ec2 +eu-west-1 +${cloud.credential.accessKeyId} `, 'm'),
  );
});

test('site show of the account lists the regions AWS offers it; of a region, its account and a live check', async () => {
  const account = await glint(['site', 'show', 'aws', '--json']);
  expect(account.code).toBe(0);
  const detail = JSON.parse(account.stdout) as AccountDetail;
  const usable = detail.availableRegions.filter((r) => r.usable);
  expect(usable.map((r) => [r.region, r.enabled])).toEqual(
    expect.arrayContaining([
      ['us-east-1', true],
      ['eu-west-1', true],
      ['us-west-2', false],
    ]),
  );
  const human = await glint(['site', 'show', 'aws']);
  expect(human.stdout).toMatch(/^enabled: +eu-west-1, us-east-1$/m);
  expect(human.stdout).toMatch(/^may enable: +us-west-2$/m);

  const region = await glint(['site', 'show', 'aws/eu-west-1']);
  expect(region.code).toBe(0);
  expect(region.stdout).toMatch(/^account: +aws$/m);
  expect(region.stdout).toMatch(/^check: +ok in \d+ ms: EC2 in eu-west-1 answered/m);
  expect(region.stdout + account.stdout).not.toContain(cloud.credential.secretAccessKey);
});

test('rm of a region disables it, of the last region says to remove the account, of the account removes every region', async () => {
  const one = await glint(['site', 'rm', 'aws/eu-west-1']);
  expect(one.code).toBe(0);
  expect(one.stdout).toBe(
    'Disabled region eu-west-1 of EC2 account aws (site aws/eu-west-1 removed).\n',
  );
  const last = await glint(['site', 'rm', 'aws/us-east-1']);
  expect(last.code).toBe(1);
  expect(last.stderr).toContain(
    'aws/us-east-1 is the last region of the EC2 account aws: remove the account with glint site rm aws',
  );
  const all = await glint(['site', 'rm', 'aws', '--json']);
  expect(all.code).toBe(0);
  expect(JSON.parse(all.stdout)).toEqual({
    removed: [{ id: expect.any(String), name: 'aws/us-east-1' }],
  });
  expect(await env.query("SELECT * FROM sites WHERE type = 'ec2'")).toEqual([]);
  expect(await env.query('SELECT * FROM accounts')).toEqual([]);
});
