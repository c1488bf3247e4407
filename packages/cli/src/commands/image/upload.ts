import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { Option, type Command } from 'commander';
import type { Imported, Uploaded } from '@glint/api/replies';
import { formatBytes } from '@glint/core/client';
import { action, collect, examples } from '../../command-kit';
import type { ApiClient } from '../../api-client';
import type { Context } from '../../context';
import { CliError, UsageError } from '../../errors';
import { watchJobs } from '../../job-watch';
import { ProgressDisplay } from '../../progress-display';
import { resolveSites } from '../../resolve';
import { renderTable } from '../../table';
import { jobRowsTable, jobsOutcome } from '../jobs';

const diskFormats = [
  'raw',
  'qcow2',
  'vmdk',
  'vdi',
  'vhd',
  'vhdx',
  'iso',
  'ami',
  'ari',
  'aki',
  'ploop',
];
const containerFormats = ['bare', 'ovf', 'ova', 'ami', 'ari', 'aki', 'docker', 'compressed'];
const visibilities = ['private', 'shared', 'community', 'public'];

/** The disk format a file's extension says, where it says one unambiguously (`.img` does not). */
const formatByExtension: Record<string, string> = {
  '.qcow2': 'qcow2',
  '.raw': 'raw',
  '.iso': 'iso',
  '.vmdk': 'vmdk',
  '.vdi': 'vdi',
  '.vhd': 'vhd',
  '.vhdx': 'vhdx',
};

export interface UploadOptions {
  to: string[];
  name?: string;
  diskFormat?: string;
  containerFormat: string;
  visibility: string;
  wait: boolean;
}

/** glint image upload: a file streamed through the API, or a URL the daemon imports. */
export function imageUploadCommand(image: Command): void {
  examples(
    image
      .command('upload')
      .summary('Put an image file or URL on sites')
      .description(
        'Put an image on sites. A FILE is streamed to the API, which streams it to every site at once and ' +
          'verifies each copy (a progress bar shows on stderr). A URL is fetched by the daemon (an import job, ' +
          'followed until it ends unless --no-wait).',
      )
      .argument('<source>', 'a file, or an http(s) URL')
      .requiredOption(
        '--to <site>',
        'a site to put it on (repeatable, or comma-separated)',
        collect,
      )
      .option('--name <name>', "the image's name (default: the file name without its extension)")
      .addOption(
        new Option('--disk-format <format>', 'default: from the extension').choices(diskFormats),
      )
      .addOption(
        new Option('--container-format <format>').choices(containerFormats).default('bare'),
      )
      .addOption(new Option('--visibility <visibility>').choices(visibilities).default('private'))
      .option('--no-wait', 'URL: return once the import is queued')
      .action(action(upload)),
    [
      'glint image upload cirros-0.6.2.qcow2 --to east --to west',
      'glint image upload disk.img --disk-format raw --name base-2025 --to east,west',
      'glint image upload https://download.cirros-cloud.net/0.6.2/cirros-0.6.2-x86_64-disk.img --disk-format qcow2 --to east',
    ],
  );
}

/** What an upload or an import says of the new image, whichever way its bytes come. */
interface NewImage {
  name: string;
  diskFormat: string;
  sites: { id: string; name: string }[];
}

export async function upload(ctx: Context, source: string, options: UploadOptions): Promise<void> {
  const isUrl = /^https?:\/\//i.test(source);
  const fileName = isUrl ? basename(new URL(source).pathname) : basename(source);
  const extension = extname(fileName).toLowerCase();
  const diskFormat = options.diskFormat ?? formatByExtension[extension];
  if (!diskFormat) {
    throw new UsageError(
      `cannot tell the disk format of ${fileName} from its extension: give --disk-format (${diskFormats.join(', ')})`,
    );
  }
  const name = options.name ?? (fileName.slice(0, fileName.length - extension.length) || fileName);
  const client = await ctx.client();
  const image: NewImage = { name, diskFormat, sites: await resolveSites(client, options.to) };
  if (isUrl) await importFromUrl(ctx, client, source, image, options);
  else await uploadFile(ctx, client, source, image, options);
}

async function importFromUrl(
  ctx: Context,
  client: ApiClient,
  url: string,
  image: NewImage,
  options: UploadOptions,
): Promise<void> {
  const abort = new AbortController();
  const events = options.wait ? await client.events(abort.signal) : undefined;
  try {
    const imported = await client.request<Imported>('POST', '/images/import', {
      json: {
        url,
        name: image.name,
        diskFormat: image.diskFormat,
        containerFormat: options.containerFormat,
        visibility: options.visibility,
        sites: image.sites.map((s) => s.id),
      },
    });
    if (imported.status === 'present' || !events) {
      ctx.result(imported, () =>
        imported.status === 'present' ? imported.message : `Queued import job ${imported.jobId}.`,
      );
      return;
    }
    const rows = await watchJobs(client, {
      jobIds: [imported.jobId],
      events,
      display: !ctx.json,
    });
    ctx.result({ ...imported, jobs: rows }, () => jobRowsTable(rows));
    jobsOutcome(rows);
  } finally {
    abort.abort();
  }
}

async function uploadFile(
  ctx: Context,
  client: ApiClient,
  path: string,
  image: NewImage,
  options: UploadOptions,
): Promise<void> {
  const size = await fileSize(path);
  const display = ctx.json && !process.stderr.isTTY ? undefined : new ProgressDisplay();
  const body = Readable.toWeb(
    createReadStream(path).pipe(progressCounter(image.name, size, display)),
  ) as ReadableStream<Uint8Array>;
  const uploaded = await client.request<Uploaded>('POST', '/images/upload', {
    query: {
      site: image.sites.map((s) => s.id),
      name: image.name,
      diskFormat: image.diskFormat,
      containerFormat: options.containerFormat,
      visibility: options.visibility,
      size,
    },
    stream: { body, contentType: 'application/octet-stream' },
  });
  const siteName = new Map(image.sites.map((s) => [s.id, s.name]));
  ctx.result({ name: image.name, ...uploaded }, () =>
    [
      `Uploaded ${image.name}: ${formatBytes(uploaded.bytes, 'terminal')}${uploaded.contentHash ? `, ${uploaded.contentHash.algo}:${uploaded.contentHash.value.slice(0, 16)}…` : ''}`,
      renderTable(
        ['SITE', 'OUTCOME', 'CLOUD IMAGE', 'ERROR'],
        uploaded.sites.map((s) => [
          siteName.get(s.siteId) ?? s.siteId,
          s.outcome,
          s.cloudImageId,
          s.error,
        ]),
      ),
    ].join('\n'),
  );
  const failed = uploaded.sites.filter((s) => s.outcome === 'failed');
  if (failed.length > 0) {
    throw new CliError(
      `the upload failed on ${failed.map((s) => siteName.get(s.siteId) ?? s.siteId).join(', ')}: see the errors above, then upload again to those sites`,
    );
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    return info.size;
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

/** Passes the bytes on, showing how many have gone and how fast. */
function progressCounter(name: string, size: number, display?: ProgressDisplay): Transform {
  const started = performance.now();
  let sent = 0;
  const show = () =>
    display?.update([
      {
        key: 'upload',
        label: `upload ${name}`,
        state: sent < size ? 'sending' : 'verifying',
        progress: {
          bytes: sent,
          total: size,
          bytesPerSecond: sent / Math.max(0.001, (performance.now() - started) / 1000),
        },
      },
    ]);
  show();
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      sent += chunk.length;
      show();
      done(null, chunk);
    },
  });
}
