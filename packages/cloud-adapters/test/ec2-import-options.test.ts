/**
 * What VM Import is told about an image, from its Glance formats and properties (issue 13 items 6,
 * 7, 8 and 14), and what is refused before anything is uploaded.
 */
import { EC2_PROPERTIES, importOptionsFor, InvalidRequestError } from '../src';

const disk = (
  properties: Record<string, string> = {},
  diskFormat = 'raw',
  containerFormat = 'bare',
) => ({
  diskFormat,
  containerFormat,
  properties,
});
const refusal = (call: () => unknown) => {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return (error as Error).message;
  }
  throw new Error('not refused');
};

test.each([
  ['x86_64', 'x86_64'],
  ['amd64', 'x86_64'],
  ['i686', 'i386'],
  ['i386', 'i386'],
])('architecture (item 6): Glance’s %s is EC2’s %s in both modes', (glance, ec2) => {
  for (const mode of ['image', 'snapshot'] as const)
    expect(importOptionsFor(disk({ architecture: glance }), mode).architecture).toBe(ec2);
});

test('architecture (item 6): aarch64 is RegisterImage’s arm64; ImportImage cannot take it, and ppc64le is refused anywhere', () => {
  expect(importOptionsFor(disk({ architecture: 'aarch64' }), 'snapshot').architecture).toBe(
    'arm64',
  );
  expect(refusal(() => importOptionsFor(disk({ architecture: 'aarch64' }), 'image'))).toMatch(
    /ImportImage .* takes i386 and x86_64 images only; .*set the account's importMode to "snapshot"/,
  );
  for (const mode of ['image', 'snapshot'] as const)
    expect(refusal(() => importOptionsFor(disk({ architecture: 'ppc64le' }), mode))).toMatch(
      /EC2 runs x86_64, i686 and aarch64 images, not this image's architecture "ppc64le"/,
    );
  expect(importOptionsFor(disk(), 'image').architecture).toBeUndefined();
});

test('boot mode (item 7): hw_firmware_type uefi and bios are uefi and legacy-bios; ec2_boot_mode wins and may be uefi-preferred where RegisterImage takes it', () => {
  expect(importOptionsFor(disk({ hw_firmware_type: 'uefi' }), 'image').bootMode).toBe('uefi');
  expect(importOptionsFor(disk({ hw_firmware_type: 'bios' }), 'snapshot').bootMode).toBe(
    'legacy-bios',
  );
  expect(importOptionsFor(disk(), 'image').bootMode).toBeUndefined();
  const hybrid = disk({ hw_firmware_type: 'bios', [EC2_PROPERTIES.bootMode]: 'uefi-preferred' });
  expect(importOptionsFor(hybrid, 'snapshot').bootMode).toBe('uefi-preferred');
  expect(refusal(() => importOptionsFor(hybrid, 'image'))).toMatch(
    /ImportImage does not take the boot mode uefi-preferred/,
  );
  expect(
    refusal(() =>
      importOptionsFor(disk({ architecture: 'aarch64', hw_firmware_type: 'bios' }), 'snapshot'),
    ),
  ).toMatch(/arm64 \(Graviton\) instances boot UEFI only/);
  expect(refusal(() => importOptionsFor(disk({ hw_firmware_type: 'coreboot' }), 'image'))).toMatch(
    /hw_firmware_type is "coreboot"; it takes bios or uefi/,
  );
});

test('ENA (item 7): only an image whose ec2_ena_support is true has EnaSupport', () => {
  expect(importOptionsFor(disk(), 'snapshot').enaSupport).toBe(false);
  expect(importOptionsFor(disk({ hw_vif_model: 'virtio' }), 'snapshot').enaSupport).toBe(false);
  expect(importOptionsFor(disk({ [EC2_PROPERTIES.enaSupport]: 'true' }), 'snapshot')).toMatchObject(
    { enaSupport: true },
  );
  expect(
    refusal(() => importOptionsFor(disk({ [EC2_PROPERTIES.enaSupport]: 'yes' }), 'image')),
  ).toMatch(/ec2_ena_support is "yes"; it takes true or false/);
});

test('formats (item 8): container ova is Format OVA, refused in snapshot mode as VHDX is; qcow2 goes up as a VMDK', () => {
  expect(importOptionsFor(disk({}, 'vmdk', 'ova'), 'image').format).toBe('OVA');
  expect(importOptionsFor(disk({}, 'vmdk'), 'snapshot').format).toBe('VMDK');
  expect(importOptionsFor(disk({}, 'qcow2'), 'snapshot')).toMatchObject({
    format: 'VMDK',
    convertFromQcow2: true,
  });
  expect(importOptionsFor(disk({}, 'vmdk'), 'image').convertFromQcow2).toBe(false);
  expect(importOptionsFor(disk({}, 'qcow2', 'ova'), 'image')).toMatchObject({
    format: 'OVA',
    convertFromQcow2: false,
  });
  expect(importOptionsFor(disk({}, 'vhdx'), 'image').format).toBe('VHDX');
  for (const refused of [disk({}, 'vmdk', 'ova'), disk({}, 'vhdx')])
    expect(refusal(() => importOptionsFor(refused, 'snapshot'))).toMatch(
      /ImportSnapshot .* takes VHD, VMDK and RAW disks, not (OVA|VHDX): set the account's importMode to "image"/,
    );
  expect(refusal(() => importOptionsFor(disk({}, 'iso'), 'image'))).toMatch(
    /EC2 cannot import iso images: VM Import takes raw, vmdk, vhd and vhdx disks and OVA packages/,
  );
});

test('licence (item 14): a Windows image must say AWS or BYOL, which ImportImage is given; snapshot mode cannot give AWS’s', () => {
  for (const windows of [{ os_type: 'windows' }, { os_distro: 'Windows' }] as Record<
    string,
    string
  >[])
    expect(refusal(() => importOptionsFor(disk(windows), 'image'))).toMatch(
      /this Windows image does not say how it is licensed on EC2, .* set the image property ec2_license_type to AWS \(licence included\) or BYOL/,
    );
  const byol = { os_type: 'windows', [EC2_PROPERTIES.licenseType]: 'byol' };
  expect(importOptionsFor(disk(byol), 'image').licenseType).toBe('BYOL');
  expect(importOptionsFor(disk(byol), 'snapshot').licenseType).toBe('BYOL');
  const aws = { os_type: 'windows', [EC2_PROPERTIES.licenseType]: 'AWS' };
  expect(importOptionsFor(disk(aws), 'image').licenseType).toBe('AWS');
  expect(refusal(() => importOptionsFor(disk(aws), 'snapshot'))).toMatch(
    /cannot carry AWS's licence; set the account's importMode to "image"/,
  );
  expect(importOptionsFor(disk({ os_distro: 'debian' }), 'image').licenseType).toBeUndefined();
});
