import type { Ec2ImportMode } from '@glint/core';
import type { ImageSpec } from '../adapter';
import { InvalidRequestError } from '../errors';

export type ImportFormat = 'RAW' | 'VMDK' | 'VHD' | 'VHDX' | 'OVA';
export type Ec2Architecture = 'i386' | 'x86_64' | 'arm64';
export type BootMode = 'legacy-bios' | 'uefi' | 'uefi-preferred';
export type LicenseType = 'AWS' | 'BYOL';

/**
 * Image properties of Glint's own for what neither the disk nor Glance's standard properties tell
 * EC2. Glance's `hw_vif_model` has no value for ENA (and Nova refuses a model it does not know), so
 * the driver's presence needs a property of its own.
 */
export const EC2_PROPERTIES = {
  /** legacy-bios, uefi or uefi-preferred (an OS that boots both); wins over hw_firmware_type. */
  bootMode: 'ec2_boot_mode',
  /** true when the image has the ENA driver: RegisterImage then sets EnaSupport. */
  enaSupport: 'ec2_ena_support',
  /** AWS (licence included, billed by AWS) or BYOL (the user's own licences). */
  licenseType: 'ec2_license_type',
} as const;

/** What VM Import is told about an image beyond its bytes. */
export interface ImportOptions {
  format: ImportFormat;
  /** A qcow2, which goes up converted to the stream-optimized VMDK `format` names. */
  convertFromQcow2: boolean;
  /** EC2's name of the image's architecture, when the image names one. */
  architecture?: Ec2Architecture;
  bootMode?: BootMode;
  /** For RegisterImage (snapshot mode); ImportImage has no such parameter and decides itself. */
  enaSupport: boolean;
  /** For ImportImage (image mode); RegisterImage has no such parameter. */
  licenseType?: LicenseType;
}

/**
 * VM Import's disk formats by Glance's disk_format names. A qcow2 is converted to a
 * stream-optimized VMDK first (disk-conversion.ts).
 */
const diskFormats: Record<string, ImportFormat> = {
  raw: 'RAW',
  qcow2: 'VMDK',
  vmdk: 'VMDK',
  vhd: 'VHD',
  vhdx: 'VHDX',
};
/** ImageDiskContainer takes all five; SnapshotDiskContainer "Valid values: VHD | VMDK | RAW". */
const formatsOf: Record<Ec2ImportMode, ImportFormat[]> = {
  image: ['RAW', 'VMDK', 'VHD', 'VHDX', 'OVA'],
  snapshot: ['RAW', 'VMDK', 'VHD'],
};

/** libosinfo's names (Glance's `architecture`), and the common aliases, as EC2 names them. */
const architectures: Record<string, Ec2Architecture> = {
  x86_64: 'x86_64',
  amd64: 'x86_64',
  i386: 'i386',
  i486: 'i386',
  i586: 'i386',
  i686: 'i386',
  aarch64: 'arm64',
  arm64: 'arm64',
};

/** Glance's hw_firmware_type values as EC2's boot modes. */
const firmwareBootModes: Record<string, BootMode> = { bios: 'legacy-bios', uefi: 'uefi' };
const bootModes: BootMode[] = ['legacy-bios', 'uefi', 'uefi-preferred'];
const licenseTypes: LicenseType[] = ['AWS', 'BYOL'];

const setMode = (mode: Ec2ImportMode) => `set the account's importMode to "${mode}"`;

function formatOf(spec: Pick<ImageSpec, 'diskFormat' | 'containerFormat'>, mode: Ec2ImportMode) {
  const format =
    spec.containerFormat.toLowerCase() === 'ova'
      ? 'OVA'
      : diskFormats[spec.diskFormat.toLowerCase()];
  if (!format)
    throw new InvalidRequestError(
      `EC2 cannot import ${spec.diskFormat} images: VM Import takes raw, vmdk, vhd and vhdx disks and OVA packages (Glint converts qcow2 to a stream-optimized vmdk); convert the image first`,
    );
  if (!formatsOf[mode].includes(format))
    throw new InvalidRequestError(
      `ImportSnapshot (the account's importMode "snapshot") takes VHD, VMDK and RAW disks, not ${format}: ` +
        `${setMode('image')}, or copy the image as a bare disk`,
    );
  return format;
}

function architectureOf(name: string | undefined, mode: Ec2ImportMode) {
  if (name === undefined) return undefined;
  const architecture = architectures[name.toLowerCase()];
  if (!architecture)
    throw new InvalidRequestError(
      `EC2 runs x86_64, i686 and aarch64 images, not this image's architecture "${name}"; correct the image's architecture property if it is wrong`,
    );
  // ImportImage's Architecture: "Valid values: i386 | x86_64"; RegisterImage also takes arm64.
  if (architecture === 'arm64' && mode === 'image')
    throw new InvalidRequestError(
      `ImportImage (the account's importMode "image") takes i386 and x86_64 images only; ` +
        `for this ${name} image ${setMode('snapshot')} (ImportSnapshot, then RegisterImage as arm64)`,
    );
  return architecture;
}

function bootModeOf(
  properties: Record<string, string>,
  mode: Ec2ImportMode,
  architecture: Ec2Architecture | undefined,
): BootMode | undefined {
  const own = properties[EC2_PROPERTIES.bootMode];
  const firmware = properties.hw_firmware_type;
  let bootMode: BootMode | undefined;
  if (own !== undefined) {
    bootMode = bootModes.find((m) => m === own.toLowerCase());
    if (!bootMode)
      throw new InvalidRequestError(
        `${EC2_PROPERTIES.bootMode} is "${own}"; it takes ${bootModes.join(', ')}`,
      );
  } else if (firmware !== undefined) {
    bootMode = firmwareBootModes[firmware.toLowerCase()];
    if (!bootMode)
      throw new InvalidRequestError(`hw_firmware_type is "${firmware}"; it takes bios or uefi`);
  }
  if (bootMode === 'uefi-preferred' && mode === 'image')
    throw new InvalidRequestError(
      `ImportImage does not take the boot mode uefi-preferred; set ${EC2_PROPERTIES.bootMode} to uefi or legacy-bios, or ${setMode('snapshot')}`,
    );
  if (bootMode === 'legacy-bios' && architecture === 'arm64')
    throw new InvalidRequestError(
      'arm64 (Graviton) instances boot UEFI only; this aarch64 image asks for BIOS: set hw_firmware_type to uefi',
    );
  return bootMode;
}

/**
 * The licence asked for. VM Import takes a Windows Server image without LicenseType as "AWS",
 * licence-included billing, so a Windows image (os_type or os_distro windows) must say which it is.
 */
function licenseTypeOf(
  properties: Record<string, string>,
  mode: Ec2ImportMode,
): LicenseType | undefined {
  const given = properties[EC2_PROPERTIES.licenseType];
  const windows = [properties.os_type, properties.os_distro].some(
    (value) => value?.toLowerCase() === 'windows',
  );
  if (given === undefined) {
    if (windows)
      throw new InvalidRequestError(
        `this Windows image does not say how it is licensed on EC2, and VM Import would import it with AWS's licence, billed per hour: ` +
          `set the image property ${EC2_PROPERTIES.licenseType} to AWS (licence included) or BYOL (your own licences)`,
      );
    return undefined;
  }
  const licenseType = licenseTypes.find((type) => type === given.toUpperCase());
  if (!licenseType)
    throw new InvalidRequestError(
      `${EC2_PROPERTIES.licenseType} is "${given}"; it takes AWS or BYOL`,
    );
  if (licenseType === 'AWS' && mode === 'snapshot')
    throw new InvalidRequestError(
      `an AMI registered from a snapshot (the account's importMode "snapshot") cannot carry AWS's licence; ${setMode('image')}, or set ${EC2_PROPERTIES.licenseType} to BYOL`,
    );
  return licenseType;
}

function enaSupportOf(properties: Record<string, string>): boolean {
  const value = properties[EC2_PROPERTIES.enaSupport]?.toLowerCase();
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new InvalidRequestError(
    `${EC2_PROPERTIES.enaSupport} is "${properties[EC2_PROPERTIES.enaSupport]}"; it takes true or false`,
  );
}

/**
 * What VM Import is told for an image, from its formats and properties, in `mode`; or a refusal
 * saying what to change, before anything is uploaded.
 */
export function importOptionsFor(
  spec: Pick<ImageSpec, 'diskFormat' | 'containerFormat' | 'properties'>,
  mode: Ec2ImportMode,
): ImportOptions {
  const properties = spec.properties ?? {};
  const format = formatOf(spec, mode);
  const architecture = architectureOf(properties.architecture, mode);
  const bootMode = bootModeOf(properties, mode, architecture);
  const licenseType = licenseTypeOf(properties, mode);
  return {
    format,
    convertFromQcow2: format === 'VMDK' && spec.diskFormat.toLowerCase() === 'qcow2',
    ...(architecture && { architecture }),
    ...(bootMode && { bootMode }),
    enaSupport: enaSupportOf(properties),
    ...(licenseType && { licenseType }),
  };
}
