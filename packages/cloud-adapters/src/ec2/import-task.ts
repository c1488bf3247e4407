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
import type { ImportOptions } from './import-options';

/** Where the disk to import lies, and how VM Import is to take it. */
export interface ImportRequest {
  copyId: string;
  bucket: string;
  key: string;
  role: string;
  mode: Ec2ImportMode;
  options: ImportOptions;
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

/** Every item of a listing that pages with NextToken, fetching a page only when it is needed. */
async function* allPages<T>(
  fetch: (token: string | undefined) => Promise<{ items?: T[]; NextToken?: string }>,
): AsyncIterable<T> {
  let token: string | undefined;
  do {
    const page = await fetch(token);
    yield* page.items ?? [];
    token = page.NextToken;
  } while (token);
}

async function firstOf<T>(items: AsyncIterable<T>, wanted: (item: T) => boolean) {
  for await (const item of items) if (wanted(item)) return item;
  return undefined;
}
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
    const { options } = request;
    const disk = {
      Format: options.format,
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
        ...(options.architecture && { Architecture: options.architecture }),
        ...(options.bootMode && { BootMode: options.bootMode }),
        ...(options.licenseType && { LicenseType: options.licenseType }),
      }),
    );
    return ImportTaskId!;
  }

  /** The task of either kind started for `copyId`, if there is one; the listings are paged. */
  async find(copyId: string): Promise<TaskState | undefined> {
    const wanted = (task: { Description?: string }) => task.Description === description(copyId);
    const image = await firstOf(
      allPages(async (NextToken) => {
        const page = await this.ec2.send(new DescribeImportImageTasksCommand({ NextToken }));
        return { items: page.ImportImageTasks, NextToken: page.NextToken };
      }),
      wanted,
    );
    if (image) return this.imageTask(image);
    const snapshot = await firstOf(
      allPages(async (NextToken) => {
        const page = await this.ec2.send(new DescribeImportSnapshotTasksCommand({ NextToken }));
        return { items: page.ImportSnapshotTasks, NextToken: page.NextToken };
      }),
      wanted,
    );
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

  /**
   * Registers the imported snapshot as an AMI, unless an earlier attempt did: found by its name, or,
   * while EC2 does not list it yet, named in RegisterImage's InvalidAMIName.Duplicate. ENA only when
   * the image says it has the driver: an instance of an ENA AMI without it has no network.
   */
  private async register(request: ImportRequest, snapshotIds: string[]): Promise<Imported> {
    const name = amiName(request.copyId);
    const { Images } = await this.ec2.send(
      new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }] }),
    );
    const earlier = Images?.find((image) => image.Name === name);
    if (earlier?.ImageId) return { imageId: earlier.ImageId, snapshotIds };
    const [snapshot] = snapshotIds;
    if (!snapshot) throw new TransientError(`import of ${request.key} finished without a snapshot`);
    const { options } = request;
    try {
      const { ImageId } = await this.ec2.send(
        new RegisterImageCommand({
          Name: name,
          Description: description(request.copyId),
          Architecture: options.architecture ?? 'x86_64',
          ...(options.bootMode && { BootMode: options.bootMode }),
          RootDeviceName: '/dev/sda1',
          VirtualizationType: 'hvm',
          ...(options.enaSupport && { EnaSupport: true }),
          BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { SnapshotId: snapshot } }],
        }),
      );
      return { imageId: ImageId!, snapshotIds };
    } catch (error) {
      const { name: code, message } = error as { name?: string; message?: string };
      const registered = /\bami-[0-9a-f]+\b/.exec(message ?? '')?.[0];
      if (code === 'InvalidAMIName.Duplicate' && registered)
        return { imageId: registered, snapshotIds };
      throw error;
    }
  }

  /** Cancels the task still running for `copyId`; true when there was one. */
  async cancel(copyId: string): Promise<boolean> {
    const task = await this.find(copyId);
    if (!task || task.status !== 'active') return false;
    await this.ec2.send(new CancelImportTaskCommand({ ImportTaskId: task.id }));
    return true;
  }
}
