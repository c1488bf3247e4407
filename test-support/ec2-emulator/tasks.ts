/**
 * The import task state machine. A task walks through the steps VM Import reports, with the
 * progress percentages it shows, one step per `stepMs` of time and/or `stepsPerPoll` per describe
 * call. It cannot pass validation before the disk has been read from S3 for real; a disk that cannot
 * be read or is not in a format VM Import takes ends the task as `deleted` with the service's text,
 * and so does an image task's disk without a partition table (ImportSnapshot does not look inside:
 * AWS does no bootability check on that path). On completion an image task makes a snapshot and an
 * AMI, a snapshot task the snapshot only.
 */
import { DiskValidationError, type DiskContent, type DiskReader } from './disk-reader';
import { allows } from './policies';
import { newId, type Ec2State, type ImportTask, type TaskKind } from './state';

interface Step {
  message: string;
  progress: string;
}

const steps: Record<TaskKind, Step[]> = {
  image: [
    { message: 'pending', progress: '2' },
    { message: 'validating', progress: '10' },
    { message: 'validated', progress: '19' },
    { message: 'converting', progress: '28' },
    { message: 'updating', progress: '47' },
    { message: 'booting', progress: '58' },
    { message: 'booted', progress: '72' },
    { message: 'preparing ami', progress: '87' },
  ],
  snapshot: [
    { message: 'pending', progress: '3' },
    { message: 'validating', progress: '13' },
    { message: 'validated', progress: '19' },
    { message: 'converting', progress: '46' },
  ],
};
/** The first step that needs the disk read. */
const validatedStep = 2;
const GiB = 1024 ** 3;

export interface TaskTiming {
  /** Time per step; default 100 ms. `Infinity` leaves the pace to `stepsPerPoll`. */
  stepMs?: number;
  /** Steps a describe call of the task advances it; default 0. */
  stepsPerPoll?: number;
}

export const invalidSourceMessage =
  'ClientError: Disk validation failed [Invalid S3 source location]';
/**
 * What ImportImage reports for a disk with no partition table, as users of VM Import have seen it
 * (REMnux/remnux-cli#156, for a raw disk; AWS's troubleshooting page lists no such text).
 */
export const noPartitionsMessage = 'ClientError: No valid partitions. Not a valid volume.';
/** When the service role's policy does not let VM Import read the disk (AWS's own text). */
export const accessDeniedMessage =
  'ClientError: Disk validation failed [We do not have access to the given resource. Reason 403 Forbidden]';

interface Running {
  lastStepAt: number;
  disk?: DiskContent;
  failure?: string;
  /** Held at this step until cancelled (`stickNextTask`). */
  stuckAt?: number;
  /** Fails with this message when it reaches validation (`failNextTask`). */
  failWith?: string;
}

/**
 * How an imported AMI is billed: Windows with AWS's licence (RunInstances:0002), Windows with the
 * user's own (RunInstances:0800), or Linux/UNIX (RunInstances), as DescribeImages reports it.
 */
function billingOf(windows: boolean, licenseType: string) {
  if (!windows) return { platformDetails: 'Linux/UNIX', usageOperation: 'RunInstances' };
  return licenseType === 'AWS'
    ? { platformDetails: 'Windows', usageOperation: 'RunInstances:0002' }
    : { platformDetails: 'Windows BYOL', usageOperation: 'RunInstances:0800' };
}

export class TaskRunner {
  private readonly running = new Map<string, Running>();
  private readonly pendingReads = new Set<Promise<void>>();
  private nextFault: { stick?: boolean; failWith?: string } = {};

  constructor(
    private readonly state: Ec2State,
    private readonly reader: DiskReader,
    private readonly timing: Required<TaskTiming>,
  ) {}

  /** The next task started fails at validation with `message` (e.g. a `ClientError: …` text). */
  failNextTask(message: string): void {
    this.nextFault.failWith = message;
  }

  /** The next task started never gets past `converting`, as a hung import does. */
  stickNextTask(): void {
    this.nextFault.stick = true;
  }

  start(task: ImportTask): void {
    const run: Running = { lastStepAt: Date.now() };
    if (this.nextFault.stick) run.stuckAt = validatedStep + 1;
    if (this.nextFault.failWith) run.failWith = this.nextFault.failWith;
    this.nextFault = {};
    this.running.set(task.importTaskId, run);
    this.show(task, 0);
    if (!this.roleMayRead(task)) {
      run.failure = accessDeniedMessage;
      return;
    }
    const read = this.reader.read(task.bucket, task.key, task.format).then(
      (disk) => {
        if (task.kind === 'image' && disk.partitioned === false) run.failure = noPartitionsMessage;
        else run.disk = disk;
      },
      (error: unknown) => {
        run.failure = error instanceof DiskValidationError ? error.message : invalidSourceMessage;
      },
    );
    this.pendingReads.add(read);
    void read.finally(() => this.pendingReads.delete(read));
  }

  /** What VM Import's role needs of the bucket: AWS's "Required service role" permissions. */
  private roleMayRead(task: ImportTask): boolean {
    const policy = this.state.account(task.ownerId)?.rolePolicies[task.roleName];
    const bucket = `arn:aws:s3:::${task.bucket}`;
    return (
      !policy ||
      (allows(policy, 's3:GetBucketLocation', bucket) &&
        allows(policy, 's3:ListBucket', bucket) &&
        allows(policy, 's3:GetObject', `${bucket}/${task.key}`))
    );
  }

  cancel(task: ImportTask): void {
    this.running.delete(task.importTaskId);
    task.status = 'deleted';
    task.statusMessage = 'User initiated task cancelation';
    task.progress = undefined;
  }

  /** Moves the task on by the time passed since it last moved, plus `polls` describe calls. */
  advance(task: ImportTask, polls: number): void {
    const run = this.running.get(task.importTaskId);
    if (!run || task.status !== 'active') return;
    const now = Date.now();
    const byTime = Number.isFinite(this.timing.stepMs)
      ? Math.floor((now - run.lastStepAt) / this.timing.stepMs)
      : 0;
    let moves = byTime + polls * this.timing.stepsPerPoll;
    if (byTime > 0) run.lastStepAt += byTime * this.timing.stepMs;
    while (moves-- > 0) {
      const next = task.step + 1;
      if (run.stuckAt !== undefined && next > run.stuckAt) return;
      if (next >= validatedStep) {
        const failure = run.failWith ?? run.failure;
        if (failure) return this.fail(task, failure);
        if (!run.disk) return; // still reading the object
      }
      if (next >= steps[task.kind].length) return this.complete(task, run.disk!);
      this.show(task, next);
    }
  }

  /** Resolves once every disk read under way has ended (for a clean close). */
  async settled(): Promise<void> {
    await Promise.all([...this.pendingReads]);
  }

  private show(task: ImportTask, step: number): void {
    const shown = steps[task.kind][step]!;
    task.step = step;
    task.statusMessage = shown.message;
    task.progress = shown.progress;
  }

  private fail(task: ImportTask, message: string): void {
    this.running.delete(task.importTaskId);
    task.status = 'deleted';
    task.statusMessage = message;
    task.progress = undefined;
  }

  private complete(task: ImportTask, disk: DiskContent): void {
    this.running.delete(task.importTaskId);
    const now = new Date().toISOString();
    const snapshotId = newId('snap');
    const volumeSize = Math.max(1, Math.ceil(disk.size / GiB));
    this.state.snapshots.set(snapshotId, {
      snapshotId,
      status: 'completed',
      progress: 100,
      region: task.region,
      ownerId: task.ownerId,
      tags: new Map(),
      volumeSize,
      description: `Created by AWS-VMImport service for ${task.importTaskId}`,
      startTime: now,
      diskSize: disk.size,
      diskSha256: disk.sha256,
    });
    task.snapshotId = snapshotId;
    task.diskSize = disk.size;
    task.diskSha256 = disk.sha256;
    if (task.kind === 'image') {
      // "Leaving LicenseType undefined is the same as choosing AWS when importing a Windows Server
      // operating system, and BYOL for ... Linux" (ImportImage, Amazon EC2 API Reference).
      task.platform = disk.windows ? 'Windows' : 'Linux';
      task.licenseType ??= disk.windows ? 'AWS' : 'BYOL';
      const imageId = newId('ami');
      this.state.addImage({
        imageId,
        region: task.region,
        ownerId: task.ownerId,
        tags: new Map(),
        name: task.importTaskId,
        description: task.description,
        architecture: task.architecture ?? 'x86_64',
        creationDate: now,
        rootDeviceName: '/dev/sda1',
        blockDevices: [{ deviceName: '/dev/sda1', snapshotId, volumeSize }],
        virtualizationType: 'hvm',
        bootMode: task.bootMode,
        ...(disk.windows && { platform: 'windows' }),
        ...billingOf(disk.windows, task.licenseType),
      });
      task.imageId = imageId;
    }
    task.status = 'completed';
    task.statusMessage = undefined;
    task.progress = undefined;
  }
}
