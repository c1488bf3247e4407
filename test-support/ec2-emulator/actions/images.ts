/**
 * AMIs: DescribeImages, RegisterImage (EBS-backed, from snapshots), DeregisterImage (with or
 * without DeleteAssociatedSnapshots).
 */
import type { Action, ActionContext } from '../context';
import { ApiError } from '../errors';
import { newId, type BlockDevice, type Image } from '../state';
import { describeOwned } from './describe';
import { newTags, requestedTags, tagSetXml } from './tags';

const idPattern = /^ami-[0-9a-f]{8,17}$/;
/** RegisterImage's `Architecture` and `BootMode` values (ArchitectureValues, BootModeValues). */
const architectures = ['i386', 'x86_64', 'arm64', 'x86_64_mac', 'arm64_mac'];
const bootModes = ['legacy-bios', 'uefi', 'uefi-preferred'];
const namePattern = /^[a-zA-Z0-9()[\]./\-'@_ ]{3,128}$/;

export function checkImageId(id: string): void {
  if (!idPattern.test(id))
    throw new ApiError('InvalidAMIID.Malformed', `Invalid id: "${id}" (expecting "ami-...")`);
}

function imageXml(image: Image) {
  return {
    imageId: image.imageId,
    imageLocation: `${image.ownerId}/${image.name}`,
    imageState: image.state,
    stateReason: image.stateReason,
    imageOwnerId: image.ownerId,
    creationDate: image.creationDate,
    isPublic: false,
    architecture: image.architecture,
    imageType: 'machine',
    name: image.name,
    description: image.description,
    rootDeviceType: 'ebs',
    rootDeviceName: image.rootDeviceName,
    blockDeviceMapping: image.blockDevices.map((device) => ({
      deviceName: device.deviceName,
      ebs: {
        snapshotId: device.snapshotId,
        volumeSize: device.volumeSize,
        deleteOnTermination: true,
        volumeType: 'gp2',
        encrypted: false,
      },
    })),
    virtualizationType: image.virtualizationType,
    tagSet: tagSetXml(image.tags),
    hypervisor: 'xen',
    bootMode: image.bootMode,
    enaSupport: image.enaSupport,
    platform: image.platform,
    platformDetails: image.platformDetails ?? 'Linux/UNIX',
    usageOperation: image.usageOperation ?? 'RunInstances',
    deprecationTime: image.deprecationTime,
  };
}

export const describeImages: Action = (context) => {
  const { items, nextToken } = describeOwned(context, {
    all: context.state.images,
    idParam: 'ImageId',
    id: (image) => image.imageId,
    checkId: checkImageId,
    fields: (image) => ({
      'image-id': image.imageId,
      name: image.name,
      description: image.description,
      state: image.state,
      architecture: image.architecture,
      'owner-id': image.ownerId,
      'is-public': 'false',
      'image-type': 'machine',
      'root-device-type': 'ebs',
      'virtualization-type': image.virtualizationType,
      'block-device-mapping.snapshot-id': image.blockDevices.map((d) => d.snapshotId),
    }),
    notFound: (ids) =>
      new ApiError('InvalidAMIID.NotFound', `The image id '[${ids.join(', ')}]' does not exist`),
    visible: (image) => context.state.visible(image),
  });
  return { imagesSet: items.map(imageXml), nextToken };
};

export const registerImage: Action = ({ state, caller, region, params }) => {
  const ownerId = caller.account.accountId;
  const name = params.require('Name');
  if (!namePattern.test(name)) {
    throw new ApiError(
      'InvalidAMIName.Malformed',
      `AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/' and '_'`,
    );
  }
  const architecture = params.choice('Architecture', architectures) ?? 'x86_64';
  const bootMode = params.choice('BootMode', bootModes);
  // Graviton instances boot UEFI only.
  if (architecture.startsWith('arm64') && bootMode === 'legacy-bios')
    throw new ApiError(
      'InvalidParameterCombination',
      'The boot mode legacy-bios is not supported for the arm64 architecture.',
    );
  if (params.get('ImageLocation')) {
    throw new ApiError(
      'InvalidParameterCombination',
      'The emulator registers EBS-backed AMIs only (BlockDeviceMapping with Ebs.SnapshotId).',
    );
  }
  const duplicate = state.owned(state.images, region, ownerId).find((image) => image.name === name);
  if (duplicate) {
    throw new ApiError(
      'InvalidAMIName.Duplicate',
      `AMI name ${name} is already in use by AMI ${duplicate.imageId}`,
    );
  }
  const blockDevices: BlockDevice[] = params.structs('BlockDeviceMapping').flatMap((mapping) => {
    const snapshotId = mapping.struct('Ebs')?.get('SnapshotId');
    if (!snapshotId) return [];
    const snapshot = state.snapshots.get(snapshotId);
    if (!snapshot || snapshot.region !== region || snapshot.ownerId !== ownerId) {
      throw new ApiError(
        'InvalidSnapshot.NotFound',
        `The snapshot '${snapshotId}' does not exist.`,
      );
    }
    const volumeSize = mapping.struct('Ebs')?.int('VolumeSize') ?? snapshot.volumeSize;
    if (volumeSize < snapshot.volumeSize) {
      throw new ApiError(
        'InvalidBlockDeviceMapping',
        `Volume of size ${volumeSize}GB is smaller than snapshot '${snapshotId}', expect size >= ${snapshot.volumeSize}GB`,
      );
    }
    return [{ deviceName: mapping.require('DeviceName'), snapshotId, volumeSize }];
  });
  if (!blockDevices.length) {
    throw new ApiError(
      'InvalidParameterValue',
      'An EBS-backed AMI needs a BlockDeviceMapping with Ebs.SnapshotId.',
    );
  }
  const rootDeviceName = params.get('RootDeviceName') ?? blockDevices[0]!.deviceName;
  if (!blockDevices.some((d) => d.deviceName === rootDeviceName)) {
    throw new ApiError(
      'InvalidBlockDeviceMapping',
      `The root device name ${rootDeviceName} has no block device mapping.`,
    );
  }
  const tags = requestedTags(params, ['image', 'snapshot']);
  const { imageId } = state.addImage({
    imageId: newId('ami'),
    region,
    ownerId,
    tags: newTags(tags.get('image')),
    name,
    description: params.get('Description'),
    architecture,
    creationDate: new Date().toISOString(),
    rootDeviceName,
    blockDevices,
    virtualizationType: params.get('VirtualizationType') ?? 'hvm',
    bootMode,
    enaSupport: params.flag('EnaSupport'),
  });
  for (const device of blockDevices) {
    const snapshot = state.snapshots.get(device.snapshotId)!;
    for (const tag of tags.get('snapshot') ?? []) snapshot.tags.set(tag.key, tag.value);
  }
  return { imageId };
};

/**
 * Deregisters the AMI. Its snapshots stay, held by it for `snapshotHoldMs` (DeleteSnapshot answers
 * InvalidSnapshot.InUse meanwhile), unless DeleteAssociatedSnapshots asks EC2 to delete them: then
 * each is deleted but one another AMI uses (`skipped`), and the reply says how each went.
 */
export const deregisterImage: Action = (context) => {
  const { state, faults, params } = context;
  const image = ownedImage(context);
  const imageId = image.imageId;
  state.images.delete(imageId);
  const snapshotIds = image.blockDevices.map((device) => device.snapshotId);
  const failure = faults.snapshotDeletion;
  faults.snapshotDeletion = undefined;
  const deleteSnapshots = params.flag('DeleteAssociatedSnapshots') ?? false;
  const results = snapshotIds.map((snapshotId) => {
    const sharedBy = [...state.images.values()].some((other) =>
      other.blockDevices.some((device) => device.snapshotId === snapshotId),
    );
    const snapshot = state.snapshots.get(snapshotId);
    if (deleteSnapshots && !sharedBy && !failure) {
      state.snapshots.delete(snapshotId);
      return { snapshotId, returnCode: 'success' };
    }
    if (snapshot) {
      snapshot.heldUntil = Date.now() + state.snapshotHoldMs;
      snapshot.heldBy = imageId;
    }
    return { snapshotId, returnCode: sharedBy ? 'skipped' : failure };
  });
  return {
    return: true,
    deleteSnapshotResultSet: deleteSnapshots ? results : undefined,
  };
};

/** The caller's own AMI in this region that the request's `ImageId` names; EC2's NotFound otherwise. */
export function ownedImage({ state, caller, region, params }: ActionContext) {
  const imageId = params.require('ImageId');
  checkImageId(imageId);
  const image = state.images.get(imageId);
  if (
    !image ||
    !state.visible(image) ||
    image.region !== region ||
    image.ownerId !== caller.account.accountId
  )
    throw new ApiError('InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
  return image;
}
