/**
 * Distributes an image by putting a copy job straight on Glint's queue, as a CI pipeline that has
 * just built the image would, and waits for its result. docs/queue-contract.md describes the
 * contract this follows.
 *
 *   GLINT_REDIS_URL=redis://127.0.0.1:6379 GLINT_REDIS_PREFIX=glint: \
 *   npm run example:distribute -- --owner <project owner id> --image <logical image id> \
 *     --from <site id>:<cloud image id> --to <site id>[,<site id>...] [--timeout <seconds>]
 *
 * The ids come from the REST API: GET /api/v1/me (ownerId: the project's), GET /api/v1/matrix (images, the sites'
 * columns, and each cell's cloudImageId). Progress goes to standard error; the result, as JSON, to
 * standard output. Exit codes: 0 done, 1 the job failed (its reason is printed), 2 bad arguments.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  InvalidJobPayloadError,
  jobOptions,
  JOBS,
  QUEUES,
  parseJobPayload,
  queuePrefix,
  type CopyJob,
  type TransferJobProgress,
} from '@glint/core';
import { Queue, QueueEvents } from 'bullmq';

class UsageError extends Error {}

function request(argv: string[]): { payload: CopyJob; timeoutMs: number } {
  const { values } = parseArgs({
    args: argv,
    options: {
      owner: { type: 'string' },
      image: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      timeout: { type: 'string', default: '3600' },
    },
  });
  const [sourceSite, sourceImage] = (values.from ?? '').split(':');
  if (!values.owner || !values.image || !sourceSite || !sourceImage || !values.to)
    throw new UsageError(
      'needs --owner, --image, --from <site id>:<cloud image id> and --to <site id>[,...]',
    );
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds <= 0)
    throw new UsageError(
      `--timeout is "${values.timeout}", not a positive whole number of seconds`,
    );
  // Checked here against the same schema the daemon checks on receipt, so a typo fails now.
  const payload = parseJobPayload('copy', {
    version: 1,
    ownerId: values.owner,
    imageId: values.image,
    source: { siteId: sourceSite, cloudImageId: sourceImage },
    // Each copy's id is fixed now, so every attempt of the job knows it.
    destinations: values.to.split(',').map((siteId) => ({ siteId, cloudImageId: randomUUID() })),
    visibility: 'private',
    requestedBy: 'distribute-image example',
  });
  return { payload, timeoutMs: timeoutSeconds * 1000 };
}

async function main(): Promise<number> {
  let asked;
  try {
    asked = request(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof InvalidJobPayloadError)) throw error;
    console.error(`distribute-image: ${error.message}`);
    return 2;
  }
  const connection = {
    url: process.env.GLINT_REDIS_URL ?? 'redis://127.0.0.1:6379',
    maxRetriesPerRequest: null,
  };
  const prefix = queuePrefix(process.env.GLINT_REDIS_PREFIX ?? 'glint:');
  const queue = new Queue(QUEUES.transfer, { connection, prefix });
  const events = new QueueEvents(QUEUES.transfer, { connection, prefix });
  try {
    await events.waitUntilReady();
    const jobId = `copy-${randomUUID()}`;
    events.on('progress', ({ jobId: id, data }) => {
      if (id !== jobId) return;
      const progress = data as TransferJobProgress;
      for (const d of progress.destinations)
        console.error(`${d.siteId}: ${d.bytes} of ${progress.totalBytes ?? '?'} bytes`);
    });
    const job = await queue.add(JOBS.copy.name, asked.payload, { jobId, ...jobOptions('copy') });
    console.error(`queued ${jobId}`);
    try {
      const result: unknown = await job.waitUntilFinished(events, asked.timeoutMs);
      console.log(JSON.stringify({ jobId, state: 'completed', result }));
      return 0;
    } catch (error) {
      console.log(JSON.stringify({ jobId, state: 'failed', reason: (error as Error).message }));
      return 1;
    }
  } finally {
    await events.close();
    await queue.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`distribute-image: ${(error as Error).message}`);
    process.exit(1);
  },
);
