/**
 * The baseline: a plain streaming pipe per image straight against Glance (create the destination
 * image, then GET the source's /file into PUT of the new image's /file), under the daemons' limits.
 */
import { Agent, request, type IncomingMessage, type RequestOptions } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sandboxToken, type SandboxCloud } from '../../test-support/sandbox';
import type { Source } from './images';
import { clouds, interrupted, next, parallelism, prefix, siteLimit } from './settings';

/** A project-scoped token per cloud, renewed at half its lifetime (cloud3's may last only 20 s). */
const tokens = new Map<number, { token: Promise<string>; at: number }>();
function tokenFor(cloud: SandboxCloud): Promise<string> {
  const cached = tokens.get(cloud.index);
  if (cached && performance.now() - cached.at < (cloud.tokenExpiration * 1000) / 2)
    return cached.token;
  const token = sandboxToken(cloud);
  tokens.set(cloud.index, { token, at: performance.now() });
  token.catch(() => tokens.delete(cloud.index));
  return token;
}

export const agent = new Agent({ keepAlive: true, maxSockets: parallelism * 2 });

/** One HTTP request; resolves with the response once its head arrives. */
function send(
  url: string,
  options: RequestOptions,
  body?: string | Readable,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { agent, ...options }, resolve);
    outgoing.on('error', reject);
    if (body === undefined || typeof body === 'string') outgoing.end(body);
    else pipeline(body, outgoing).catch(reject);
  });
}

async function text(response: IncomingMessage): Promise<string> {
  let content = '';
  for await (const chunk of response) content += String(chunk);
  return content;
}

async function expectStatus(response: IncomingMessage, status: number, what: string) {
  if (response.statusCode === status) return text(response);
  throw new Error(`${what}: ${response.statusCode} ${(await text(response)).slice(0, 300)}`);
}

/** Creates the destination image, then streams GET …/file of the source into PUT …/file of it. */
async function pipeCopy(source: Source, index: number): Promise<void> {
  const destination = next(source.cloud);
  const [sourceToken, destinationToken] = await Promise.all([
    tokenFor(source.cloud),
    tokenFor(destination),
  ]);
  const json = { 'content-type': 'application/json', accept: 'application/json' };
  const created = await send(
    `${destination.glanceUrl}/v2/images`,
    { method: 'POST', headers: { 'x-auth-token': destinationToken, ...json } },
    JSON.stringify({
      name: `${prefix}pipe-${String(index).padStart(5, '0')}`,
      disk_format: 'raw',
      container_format: 'bare',
      visibility: 'private',
    }),
  );
  const { id } = JSON.parse(await expectStatus(created, 201, 'create')) as { id: string };
  const download = await send(`${source.cloud.glanceUrl}/v2/images/${source.id}/file`, {
    method: 'GET',
    headers: { 'x-auth-token': sourceToken },
  });
  if (download.statusCode !== 200) await expectStatus(download, 200, 'GET file');
  const upload = await send(
    `${destination.glanceUrl}/v2/images/${id}/file`,
    {
      method: 'PUT',
      headers: {
        'x-auth-token': destinationToken,
        'content-type': 'application/octet-stream',
        ...(download.headers['content-length'] && {
          'content-length': download.headers['content-length'],
        }),
      },
    },
    download,
  );
  // Glance answers the PUT once the image is stored and active.
  await expectStatus(upload, 204, 'PUT file');
}

export interface Timed {
  wallMs: number;
  /** Each copy's own time, in ms. */
  copyMs: number[];
}

/**
 * Every pipe copy, under the daemons' limits: at most `parallelism` at once, at most `siteLimit`
 * on each site; a copy starts as soon as both its sites have room (first come, first served).
 */
export async function baseline(sources: Source[]): Promise<Timed> {
  const copyMs: number[] = [];
  const pending = sources.map((source, index) => ({ source, index }));
  const busy = new Map(clouds.map((c) => [c.index, 0]));
  let running = 0;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (error: unknown) => {
      failed = true;
      reject(error);
    };
    const pump = () => {
      if (failed) return;
      if (interrupted.signal.aborted) return fail(interrupted.signal.reason);
      if (pending.length === 0 && running === 0) return resolve();
      for (let i = 0; i < pending.length && running < parallelism;) {
        const { source, index } = pending[i]!;
        const sites = [source.cloud.index, next(source.cloud).index];
        if (sites.some((site) => busy.get(site)! >= siteLimit)) {
          i++;
          continue;
        }
        pending.splice(i, 1);
        running++;
        for (const site of sites) busy.set(site, busy.get(site)! + 1);
        const begun = performance.now();
        pipeCopy(source, index).then(() => {
          copyMs.push(performance.now() - begun);
          running--;
          for (const site of sites) busy.set(site, busy.get(site)! - 1);
          pump();
        }, fail);
      }
    };
    pump();
  });
  return { wallMs: performance.now() - started, copyMs };
}
