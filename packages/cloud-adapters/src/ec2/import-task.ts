import {
  CancelImportTaskCommand,
  DescribeImagesCommand,
  DescribeImportImageTasksCommand,
  DescribeImportSnapshotTasksCommand,
  ImportImageCommand,
  ImportSnapshotCommand,
  RegisterImageCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { backoffDelay, sleep, type Ec2ImportMode } from '@glint/core';
import type { ActivationProgress, AwaitActiveOptions } from '../adapter';
import { TransientError } from '../errors';
import { importTaskFailed } from './errors';

/** Where the disk to import lies, and how VM Import is to take it. */
export interface ImportRequest {
  copyId: string;
  bucket: string;
  key: string;
  format: 'RAW' | 'VMDK' | 'VHD' | 'VHDX' | 'OVA';
  role: string;
  mode: Ec2ImportMode;
  architecture?: string;
}

/** What a finished import made. */
export interface Imported {
  imageId: string;
  snapshotIds: string[];
}

/** A task Glint started for a copy, found by the description it gave it. */
interface TaskState {
  id: string;
  status: string;
  progress: number;
  message?: string;
  imageId?: string;
  snapshotIds: string[];
}

const description = (copyId: string) => `glint copy ${copyId}`;
const amiName = (copyId: string) => `glint-${copyId}`;
/** VM Import takes hours for large disks; the job's own time-outs bound it further. */
const IMPORT_DEADLINE_MS = 12 * 3600_000;
const MAX_POLL_MS = 30_000;

/** One region's VM Import tasks: started once per copy (ClientToken), polled, registered. */
export class ImportTasks {
  constructor(private readonly ec2: EC2Client) {}

  /**
   * Starts the import of the staged disk, or finds the one started before: ClientToken is the
   * copy id, so a retry gets the same task.
   */
  async start(request: ImportRequest): Promise<string> {
    const disk = {
      Format: request.format,
      UserBucket: { S3Bucket: request.bucket, S3Key: request.key },
      Description: description(request.copyId),
    };
    const common = {
      ClientToken: request.copyId,
      Description: description(request.copyId),
      RoleName: request.role,
    };
    if (request.mode === 'snapshot') {
      const { ImportTaskId } = await this.ec2.send(
        new ImportSnapshotCommand({ ...common, DiskContainer: disk }),
      );
      return ImportTaskId!;
    }
    const { ImportTaskId } = await this.ec2.send(
      new ImportImageCommand({
        ...common,
        DiskContainers: [disk],
        ...(request.architecture ? { Architecture: request.architecture } : {}),
      }),
    );
    return ImportTaskId!;
  }

  /** The task of either kind started for `copyId`, if there is one. */
  async find(copyId: string): Promise<TaskState | undefined> {
    const wanted = description(copyId);
    const images = await this.ec2.send(new DescribeImportImageTasksCommand({}));
    const image = images.ImportImageTasks?.find((t) => t.Description === wanted);
    if (image) return this.imageTask(image);
    const snapshots = await this.ec2.send(new DescribeImportSnapshotTasksCommand({}));
    const snapshot = snapshots.ImportSnapshotTasks?.find((t) => t.Description === wanted);
    return snapshot && this.snapshotTask(snapshot);
  }

  private imageTask(task: {
    ImportTaskId?: string;
    Status?: string;
    Progress?: string;
    StatusMessage?: string;
    ImageId?: string;
    SnapshotDetails?: Array<{ SnapshotId?: string }>;
  }): TaskState {
    return {
      id: task.ImportTaskId!,
      status: task.Status ?? 'active',
      progress: Number(task.Progress ?? 0) || 0,
      ...(task.StatusMessage ? { message: task.StatusMessage } : {}),
      ...(task.ImageId ? { imageId: task.ImageId } : {}),
      snapshotIds: (task.SnapshotDetails ?? []).flatMap((d) =>
        d.SnapshotId ? [d.SnapshotId] : [],
      ),
    };
  }

  private snapshotTask(task: {
    ImportTaskId?: string;
    SnapshotTaskDetail?: {
      Status?: string;
      Progress?: string;
      StatusMessage?: string;
      SnapshotId?: string;
    };
  }): TaskState {
    const detail = task.SnapshotTaskDetail ?? {};
    return {
      id: task.ImportTaskId!,
      status: detail.Status ?? 'active',
      progress: Number(detail.Progress ?? 0) || 0,
      ...(detail.StatusMessage ? { message: detail.StatusMessage } : {}),
      snapshotIds: detail.SnapshotId ? [detail.SnapshotId] : [],
    };
  }

  private async describe(taskId: string, mode: Ec2ImportMode): Promise<TaskState> {
    if (mode === 'snapshot') {
      const { ImportSnapshotTasks } = await this.ec2.send(
        new DescribeImportSnapshotTasksCommand({ ImportTaskIds: [taskId] }),
      );
      return this.snapshotTask(ImportSnapshotTasks?.[0] ?? { ImportTaskId: taskId });
    }
    const { ImportImageTasks } = await this.ec2.send(
      new DescribeImportImageTasksCommand({ ImportTaskIds: [taskId] }),
    );
    return this.imageTask(ImportImageTasks?.[0] ?? { ImportTaskId: taskId });
  }

  /**
   * Polls the task with backoff until it completes, reporting its percentage; a task VM Import
   * gave up on is a permanent failure with its status message.
   */
  async finish(
    taskId: string,
    request: ImportRequest,
    { policy, signal, onProgress }: AwaitActiveOptions,
  ): Promise<Imported> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      const task = await this.describe(taskId, request.mode);
      if (task.status === 'completed') {
        onProgress?.({ stage: 'importing', percent: 100 });
        if (request.mode === 'snapshot') return this.register(request, task.snapshotIds);
        if (!task.imageId)
          throw new TransientError(`import task ${taskId} completed without an AMI id yet`);
        return { imageId: task.imageId, snapshotIds: task.snapshotIds };
      }
      if (task.status === 'deleted' || task.status === 'deleting' || task.status === 'cancelled')
        throw importTaskFailed({ taskId, status: task.status, message: task.message }, request);
      const progress: ActivationProgress = { stage: 'importing', percent: task.progress };
      onProgress?.(progress);
      if (Date.now() - started > IMPORT_DEADLINE_MS)
        throw new TransientError(`import task ${taskId} is still ${task.status} after 12 hours`);
      await sleep(backoffDelay({ ...policy, maxMs: MAX_POLL_MS }, Math.min(attempt, 8)), signal);
    }
  }

  /** Registers the imported snapshot as an AMI, unless an earlier attempt did. */
  private async register(request: ImportRequest, snapshotIds: string[]): Promise<Imported> {
    const name = amiName(request.copyId);
    const { Images } = await this.ec2.send(
      new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }] }),
    );
    const earlier = Images?.find((image) => image.Name === name);
    if (earlier?.ImageId) return { imageId: earlier.ImageId, snapshotIds };
    const [snapshot] = snapshotIds;
    if (!snapshot) throw new TransientError(`import of ${request.key} finished without a snapshot`);
    const { ImageId } = await this.ec2.send(
      new RegisterImageCommand({
        Name: name,
        Description: description(request.copyId),
        Architecture: (request.architecture as never) ?? 'x86_64',
        RootDeviceName: '/dev/sda1',
        VirtualizationType: 'hvm',
        EnaSupport: true,
        BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { SnapshotId: snapshot } }],
      }),
    );
    return { imageId: ImageId!, snapshotIds };
  }

  /** Cancels the task still running for `copyId`; true when there was one. */
  async cancel(copyId: string): Promise<boolean> {
    const task = await this.find(copyId);
    if (!task || task.status !== 'active') return false;
    await this.ec2.send(new CancelImportTaskCommand({ ImportTaskId: task.id }));
    return true;
  }
}
