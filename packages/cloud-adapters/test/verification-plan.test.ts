import { OutboundPolicy } from '@glint/core';
import { createAdapter, IntegrityError, type ImageInfo } from '@glint/cloud-adapters';
import { compareDigests, planVerification } from '../src/transfer/verification-plan';

const outbound = OutboundPolicy.publicOnly();
// Real adapters, never connected: the plan reads only what their types say they compute.
const glance = createAdapter(
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
afterAll(() => Promise.all([glance.close(), ec2.close()]));

const image = (digests: Partial<ImageInfo>): ImageInfo => ({
  id: 'i',
  name: 'n',
  status: 'active',
  size: 4,
  diskFormat: 'raw',
  containerFormat: 'bare',
  visibility: 'private',
  protected: false,
  minDisk: 0,
  minRam: 0,
  tags: [],
  checksum: null,
  hashAlgo: null,
  hashValue: null,
  owner: null,
  properties: {},
  createdAt: null,
  updatedAt: null,
  ...digests,
});
const glanceImage = image({ checksum: 'AA', hashAlgo: 'sha256', hashValue: 'BB' });

test('a multihash source and only Glance destinations: the ends are compared, nothing hashed here', () => {
  expect(planVerification(glanceImage, 'sha256', [glance, glance])).toEqual({
    method: 'ends',
    algo: 'sha256',
    algorithms: [],
    declared: { md5: 'aa', sha256: 'bb' },
  });
});

test('a destination that computes no digest (EC2) among them: hashed once, in the source’s algorithm', () => {
  expect(planVerification(glanceImage, 'sha256', [glance, ec2])).toMatchObject({
    method: 'hashed',
    algo: 'sha256',
    algorithms: ['sha256'],
  });
});

test('a source with only its md5 checksum: sha512 for the content hash, md5 to check the source', () => {
  expect(planVerification(image({ checksum: 'aa' }), undefined, [glance])).toMatchObject({
    method: 'hashed',
    algo: 'sha512',
    algorithms: ['sha512', 'md5'],
  });
});

test('data from outside any cloud is hashed in the announced algorithm, else sha512', () => {
  expect(planVerification(undefined, undefined, [glance])).toMatchObject({
    method: 'hashed',
    algorithms: ['sha512'],
  });
  expect(planVerification(undefined, 'sha256', [glance]).algorithms).toEqual(['sha256']);
});

test('compared by the ends, a destination with no digest in common proves nothing and fails', () => {
  const plan = planVerification(glanceImage, 'sha256', [glance]);
  const elsewhere = image({ hashAlgo: 'sha512', hashValue: 'cc' });
  expect(() => compareDigests(plan, elsewhere, plan.declared, 'copy x')).toThrow(IntegrityError);
  expect(() => compareDigests(plan, elsewhere, plan.declared, 'copy x')).toThrow(
    /could not be verified/,
  );
  // Another multihash, but the md5 Glance always keeps matches: that proves the copy.
  const md5Too = image({ checksum: 'aa', hashAlgo: 'sha512', hashValue: 'cc' });
  expect(() => compareDigests(plan, md5Too, plan.declared, 'copy x')).not.toThrow();
  const differs = image({ checksum: 'aa', hashAlgo: 'sha256', hashValue: 'dd' });
  expect(() => compareDigests(plan, differs, plan.declared, 'copy x')).toThrow(
    /sha256 differs.*the copy is deleted/,
  );
});
