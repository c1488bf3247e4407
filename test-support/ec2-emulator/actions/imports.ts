/**
 * VM Import: ImportImage and ImportSnapshot start a task that reads the disk from S3 (tasks.ts);
 * DescribeImportImageTasks / DescribeImportSnapshotTasks report it (each call moves it on by
 * `stepsPerPoll`); CancelImportTask stops it.
 */
import type { Action, ActionContext } from '../context';
import { ApiError } from '../errors';
import { matchesFilters, page } from '../filters';
import { filters, type QueryParams } from '../query';
import { newId, type ImportTask, type TaskKind } from '../state';
import { newTags, requestedTags, tagSetXml } from './tags';

/** ImageDiskContainer's formats; SnapshotDiskContainer takes VHD, VMDK and RAW only. */
const formats: Record<TaskKind, string[]> = {
  image: ['OVA', 'VHD', 'VHDX', 'VMDK', 'RAW'],
  snapshot: ['VHD', 'VMDK', 'RAW'],
};
/** ImportImage's Architecture: "Valid values: i386 | x86_64" (no arm64, unlike RegisterImage). */
const architectures = ['i386', 'x86_64'];
/** "The uefi-preferred boot mode isn't supported for importing images." */
const bootModes = ['legacy-bios', 'uefi'];
const licenseTypes = ['AWS', 'BYOL'];
/**
 * AWS documents no default page size for the import-task listings; the emulator answers a call
 * without MaxResults in pages this long, so a client that ignores NextToken misses tasks.
 */
export const TASK_PAGE_SIZE = 5;

function diskXml(task: ImportTask) {
  const active = task.status === 'active';
  return {
    diskImageSize: task.diskSize,
    format: task.format,
    snapshotId: task.snapshotId,
    status: task.status,
    statusMessage: task.statusMessage,
    progress: active ? task.progress : undefined,
    userBucket: { s3Bucket: task.bucket, s3Key: task.key },
  };
}

function imageTaskXml(task: ImportTask) {
  return {
    importTaskId: task.importTaskId,
    architecture: task.architecture,
    description: task.description,
    licenseType: task.licenseType,
    platform: task.platform,
    bootMode: task.bootMode,
    hypervisor: task.imageId ? 'xen' : undefined,
    imageId: task.imageId,
    progress: task.progress,
    status: task.status,
    statusMessage: task.statusMessage,
    snapshotDetailSet: [{ deviceName: '/dev/sda1', ...diskXml(task) }],
    tagSet: tagSetXml(task.tags),
  };
}

function snapshotTaskXml(task: ImportTask) {
  return {
    importTaskId: task.importTaskId,
    description: task.description,
    snapshotTaskDetail: { description: task.description, ...diskXml(task) },
    tagSet: tagSetXml(task.tags),
  };
}

function readDiskContainer(params: QueryParams, kind: TaskKind) {
  let container: QueryParams | undefined;
  if (kind === 'image') {
    const containers = params.structs('DiskContainer');
    if (containers.length > 1) {
      throw new ApiError('InvalidParameter', 'The EC2 emulator imports one disk per task.');
    }
    container = containers[0];
  } else {
    container = params.struct('DiskContainer');
  }
  if (!container) {
    throw new ApiError('MissingParameter', 'The request must contain the parameter DiskContainer');
  }
  if (container.get('Url')) {
    throw new ApiError(
      'InvalidParameter',
      'The EC2 emulator imports from UserBucket only, not from a Url.',
    );
  }
  const bucket = container.struct('UserBucket');
  const format = (container.get('Format') ?? '').toUpperCase();
  if (!formats[kind].includes(format)) {
    throw new ApiError(
      'InvalidParameter',
      `Invalid disk image format '${container.get('Format') ?? ''}'. Valid values: ${formats[kind].join(', ')}.`,
    );
  }
  return { format, bucket: bucket?.require('S3Bucket') ?? '', key: bucket?.require('S3Key') ?? '' };
}

async function startImport(context: ActionContext, kind: TaskKind): Promise<ImportTask> {
  const { state, tasks, disks, caller, region, params } = context;
  const disk = readDiskContainer(params, kind);
  const roleName = params.get('RoleName') ?? 'vmimport';
  if (!caller.account.roles.includes(roleName)) {
    throw new ApiError(
      'InvalidParameter',
      `The service role ${roleName} provided does not exist or does not have sufficient permissions`,
    );
  }
  const tagType = kind === 'image' ? 'import-image-task' : 'import-snapshot-task';
  const tags = requestedTags(params, [tagType]).get(tagType);
  const request = {
    ...disk,
    roleName,
    description: params.get('Description'),
    architecture: kind === 'image' ? params.choice('Architecture', architectures) : undefined,
    bootMode: kind === 'image' ? params.choice('BootMode', bootModes) : undefined,
    licenseType: kind === 'image' ? params.choice('LicenseType', licenseTypes) : undefined,
    platform: kind === 'image' ? params.get('Platform') : undefined,
  };
  const fingerprint = JSON.stringify({ kind, request, tags });
  const clientToken = params.get('ClientToken');
  if (clientToken) {
    const earlier = [...state.tasks.values()].find(
      (t) =>
        t.clientToken === clientToken &&
        t.ownerId === caller.account.accountId &&
        t.region === region,
    );
    if (earlier && earlier.fingerprint === fingerprint) return earlier;
    if (earlier) {
      throw new ApiError(
        'IdempotentParameterMismatch',
        `The client token ${clientToken} was already used with different parameters.`,
      );
    }
  }
  if (!(await disks.bucketExists(disk.bucket))) {
    throw new ApiError(
      'InvalidParameter',
      `S3 bucket does not exist: s3://${disk.bucket}/${disk.key}`,
    );
  }
  const task: ImportTask = {
    ...request,
    kind,
    importTaskId: newId(kind === 'image' ? 'import-ami' : 'import-snap'),
    region,
    ownerId: caller.account.accountId,
    tags: newTags(tags),
    clientToken,
    fingerprint,
    status: 'active',
    step: 0,
  };
  state.tasks.set(task.importTaskId, task);
  tasks.start(task);
  return task;
}

export const importImage: Action = async (context) =>
  imageTaskXml(await startImport(context, 'image'));

export const importSnapshot: Action = async (context) =>
  snapshotTaskXml(await startImport(context, 'snapshot'));

function describeTasks(
  context: ActionContext,
  kind: TaskKind,
): { items: ImportTask[]; nextToken?: string } {
  const { state, tasks, caller, region, params } = context;
  const ids = params.list('ImportTaskId');
  const wanted = filters(params, 'Filters');
  const own = state
    .owned(state.tasks, region, caller.account.accountId)
    .filter((task) => task.kind === kind);
  for (const id of ids) {
    if (!own.some((task) => task.importTaskId === id)) {
      throw new ApiError(
        'InvalidConversionTaskId.Malformed',
        `The task ID '${id}' is malformed or does not exist.`,
      );
    }
  }
  const chosen = own.filter((task) => !ids.length || ids.includes(task.importTaskId));
  for (const task of chosen) tasks.advance(task, 1);
  const found = chosen.filter((task) =>
    matchesFilters(wanted, { 'task-state': task.status }, task.tags),
  );
  return page(found, params, TASK_PAGE_SIZE);
}

export const describeImportImageTasks: Action = (context) => {
  const { items, nextToken } = describeTasks(context, 'image');
  return { importImageTaskSet: items.map(imageTaskXml), nextToken };
};

export const describeImportSnapshotTasks: Action = (context) => {
  const { items, nextToken } = describeTasks(context, 'snapshot');
  return { importSnapshotTaskSet: items.map(snapshotTaskXml), nextToken };
};

export const cancelImportTask: Action = ({ state, tasks, caller, region, params }) => {
  const id = params.require('ImportTaskId');
  const task = state.tasks.get(id);
  if (!task || task.region !== region || task.ownerId !== caller.account.accountId) {
    throw new ApiError('InvalidConversionTaskId', `The task ID '${id}' does not exist.`);
  }
  if (task.status !== 'active') {
    throw new ApiError(
      'IncorrectState',
      `The import task ${id} is ${task.status} and cannot be cancelled.`,
    );
  }
  tasks.cancel(task);
  return { importTaskId: id, previousState: 'active', state: 'deleting' };
};
