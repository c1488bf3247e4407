/**
 * A real S3 server on loopback for the EC2 tests: OpenStack Swift (Debian's `swift-*` packages,
 * installed by deploy/test-env) with its `s3api` middleware, which speaks the S3 REST API with
 * SigV4, multipart uploads (ListParts, ListMultipartUploads, Abort) and AWS's error codes.
 *
 * Each call starts its own Swift in a temp dir (an account, a container and an object server, one
 * proxy per region) and removes it on close, so test files never share buckets. S3 checks that a
 * request is signed for the server's region, as AWS does; Swift's s3api serves one region per
 * proxy, so a small router in front reads the region from the SigV4 credential scope and passes
 * the request, streamed, to that region's proxy. One endpoint thus serves every region, as the
 * EC2 emulator does. Its access key id is AWS-shaped (`AKIA…`), as Glint's API requires.
 *
 * What S3 does and Swift 2.30 does not is a layer in the router (./s3-semantics): bucket owners
 * (another account's bucket, `ExpectedBucketOwner`, the account-regional namespace), SHA-256
 * checksums on multipart uploads, opaque ETags in SSE-KMS buckets, lifecycle configurations.
 *
 * Clients must not use the SDK's default request checksums, which send `aws-chunked` bodies that
 * this Swift (2.30) refuses: `requestChecksumCalculation: 'WHEN_REQUIRED'` and
 * `responseChecksumValidation: 'WHEN_REQUIRED'`, with `forcePathStyle: true`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { promisify } from 'node:util';
import { RateLimiter } from '../packages/cloud-adapters/src/transfer/rate-limit';
import { parseCall, ReplyError, S3Semantics, type Reply } from './s3-semantics';

/** A request the router passed on to Swift. */
export interface S3Request {
  method: string;
  /** The path, e.g. `/bucket/key`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** S3's status; none while it has not answered, or when the client went away first. */
  status?: number;
  /** Whether the exchange is over: answered in full, or cut short by the client. */
  ended: boolean;
}

export interface S3Server {
  /** `http://127.0.0.1:PORT`, for `endpoint` with `forcePathStyle: true`. */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The AWS account the keys are of, which owns the buckets they create. */
  accountId: string;
  /** The regions requests may be signed for; the first is the default. */
  regions: string[];
  /** Every request that reached the server so far, in arrival order. */
  requests(): S3Request[];
  /**
   * Paces request bodies from now on to `bytesPerSecond`, all requests together, as a slow link
   * would, so that a test can stop a client in the middle of an upload; undefined lifts the limit.
   */
  throttleUploads(bytesPerSecond: number | undefined): void;
  /**
   * Makes `bucket` another account's, as if it had created the name first: the server's keys get
   * `AccessDenied`, unless `othersMayUse` (its owner's policy lets them in), and `ExpectedBucketOwner`
   * naming the keys' account is refused either way.
   */
  squatBucket(bucket: string, options?: { othersMayUse?: boolean }): Promise<void>;
  /** Gives `bucket` SSE-KMS default encryption: its ETags are no longer MD5s. */
  encryptWithKms(bucket: string): void;
  /**
   * Holds the requests that `match` until `count` of them have arrived, then lets them all go on,
   * so that a test can make concurrent requests meet at S3 (a race between two daemons).
   */
  barrier(match: (request: S3Request) => boolean, count: number): void;
  close(): Promise<void>;
}

export interface S3ServerOptions {
  /** Default `['us-east-1']`. Each region costs one Swift proxy process. */
  regions?: string[];
  /** S3's smallest part but the last; default 5 MiB, as AWS. */
  minPartSize?: number;
  /** The account the keys are of; default 123456789012, the EC2 emulator's first. */
  accountId?: string;
}

/** The account that owns the buckets `squatBucket` hands away. */
const otherAccountId = '999988887777';

const python = '/usr/bin/python3';
const device = 'disk1';
const startTimeoutMs = 150_000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function ini(sections: Record<string, Record<string, string | number | boolean>>): string {
  return Object.entries(sections)
    .map(
      ([name, keys]) =>
        `[${name}]\n${Object.entries(keys)
          .map(([k, v]) => `${k} = ${v}\n`)
          .join('')}`,
    )
    .join('\n');
}

/**
 * Waits until `port` answers Swift's healthcheck, failing if the process ends. Generous: on a
 * two-core machine under a full test run, Python takes tens of seconds to load Swift.
 */
async function waitForHttp(port: number, process: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (process.exitCode !== null) {
      throw new Error(`a Swift server exited with ${process.exitCode}:\n${log()}`);
    }
    const up = await new Promise<boolean>((resolve) => {
      const probe = request(
        { host: '127.0.0.1', port, path: '/healthcheck', method: 'GET' },
        (res) => {
          res.resume();
          resolve(true);
        },
      );
      probe.on('error', () => resolve(false));
      probe.end();
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `a Swift server did not listen on ${port} within ${startTimeoutMs / 1000} s:\n${log()}`,
  );
}

const regionPattern = /Credential=[^/]+\/\d{8}\/([^/]+)\//;

export async function startS3Server(options: S3ServerOptions = {}): Promise<S3Server> {
  const regions = options.regions ?? ['us-east-1'];
  const dir = await mkdtemp(join(tmpdir(), 'glint-s3-'));
  const swiftDir = join(dir, 'etc');
  await mkdir(join(dir, 'srv', device), { recursive: true });
  await mkdir(swiftDir);
  // Swift's tempauth names an S3 user `account:user`, which no AWS key id (nor Glint's API) takes:
  // clients get an AWS-shaped key id, which the router swaps for the Swift user.
  const swiftUser = 'glint:glint';
  const accessKeyId = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
  const secretAccessKey = randomBytes(16).toString('hex');
  const children: ChildProcess[] = [];
  let router: ReturnType<typeof createServer> | undefined;
  const log: S3Request[] = [];
  let limiter: RateLimiter | undefined;
  const accountId = options.accountId ?? '123456789012';
  const semantics = new S3Semantics({ secretAccessKey, accountId });
  const barriers: Array<{
    match: (r: S3Request) => boolean;
    count: number;
    waiting: Array<() => void>;
  }> = [];
  /** Resolves once the barrier the request meets, if any, is full. */
  const held = (logged: S3Request): Promise<void> => {
    const barrier = barriers.find((b) => b.match(logged));
    if (!barrier) return Promise.resolve();
    return new Promise((resolve) => {
      barrier.waiting.push(resolve);
      if (barrier.waiting.length < barrier.count) return;
      barriers.splice(barriers.indexOf(barrier), 1);
      barrier.waiting.forEach((go) => go());
    });
  };

  // Swift must not outlive a test run that ends without close() (a timeout, Ctrl-C).
  const killAll = () => children.forEach((child) => child.kill('SIGKILL'));
  process.once('exit', killAll);

  const close = async (): Promise<void> => {
    process.off('exit', killAll);
    if (router) await new Promise((resolve) => router?.close(resolve));
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const backendPorts = {
      account: await freePort(),
      container: await freePort(),
      object: await freePort(),
    };
    const common = {
      devices: join(dir, 'srv'),
      mount_check: false,
      bind_ip: '127.0.0.1',
      workers: 0,
      user: userInfo().username,
      swift_dir: swiftDir,
      log_level: 'WARNING',
    };
    await writeFile(
      join(swiftDir, 'swift.conf'),
      ini({
        'swift-hash': { swift_hash_path_suffix: randomBytes(8).toString('hex') },
        'storage-policy:0': { name: 'Policy-0', default: 'yes' },
      }),
    );
    await promisify(execFile)(python, [
      join(__dirname, 'swift-rings.py'),
      swiftDir,
      device,
      ...Object.entries(backendPorts).map(([kind, port]) => `${kind}=${port}`),
    ]);

    const logs = new Map<ChildProcess, string>();
    const start = async (command: string, conf: string, port: number): Promise<void> => {
      const child = spawn(command, [conf], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      logs.set(child, '');
      const keep = (data: Buffer) =>
        logs.set(child, (logs.get(child)! + data.toString()).slice(-4000));
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      await waitForHttp(port, child, () => logs.get(child)!);
    };

    const backends = Object.entries(backendPorts).map(async ([kind, port]) => {
      const conf = join(swiftDir, `${kind}-server.conf`);
      await writeFile(
        conf,
        ini({
          DEFAULT: { ...common, bind_port: port },
          'pipeline:main': { pipeline: `healthcheck ${kind}-server` },
          'filter:healthcheck': { use: 'egg:swift#healthcheck' },
          [`app:${kind}-server`]: { use: `egg:swift#${kind}` },
        }),
      );
      await start(`/usr/bin/swift-${kind}-server`, conf, port);
    });

    const proxyPorts = new Map<string, number>();
    const proxies = regions.map(async (region) => {
      const port = await freePort();
      proxyPorts.set(region, port);
      const conf = join(swiftDir, `proxy-${region}.conf`);
      await writeFile(
        conf,
        ini({
          DEFAULT: { ...common, bind_port: port },
          'pipeline:main': {
            pipeline:
              'catch_errors gatekeeper healthcheck proxy-logging cache listing_formats ' +
              's3api tempauth copy slo dlo proxy-logging proxy-server',
          },
          'app:proxy-server': { use: 'egg:swift#proxy', account_autocreate: true },
          'filter:catch_errors': { use: 'egg:swift#catch_errors' },
          'filter:gatekeeper': { use: 'egg:swift#gatekeeper' },
          'filter:healthcheck': { use: 'egg:swift#healthcheck' },
          'filter:proxy-logging': { use: 'egg:swift#proxy_logging' },
          // No memcached runs here; Swift then caches nothing, which only costs lookups.
          'filter:cache': {
            use: 'egg:swift#memcache',
            memcache_servers: `127.0.0.1:${await freePort()}`,
          },
          'filter:listing_formats': { use: 'egg:swift#listing_formats' },
          'filter:s3api': {
            use: 'egg:swift#s3api',
            location: region,
            min_segment_size: options.minPartSize ?? 5 * 1024 * 1024,
          },
          'filter:tempauth': {
            use: 'egg:swift#tempauth',
            [`user_${swiftUser.replace(':', '_')}`]: `${secretAccessKey} .admin`,
          },
          'filter:copy': { use: 'egg:swift#copy' },
          'filter:slo': { use: 'egg:swift#slo' },
          'filter:dlo': { use: 'egg:swift#dlo' },
        }),
      );
      await start('/usr/bin/swift-proxy-server', conf, port);
    });
    await Promise.all([...backends, ...proxies]);

    // The router: the request goes, body as it came, to its signing region's proxy, through the
    // layer of S3 behaviour Swift lacks. SigV4 does not sign the key id, so putting the Swift user
    // in its place keeps the signature valid.
    const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      const authorization = req.headers.authorization ?? '';
      const region = regionPattern.exec(authorization)?.[1];
      const port = proxyPorts.get(region ?? '') ?? proxyPorts.get(regions[0]!)!;
      const call = parseCall(req.method ?? '', req.url ?? '/', req.headers, region ?? regions[0]!);
      const url = new URL(req.url ?? '/', 'http://s3');
      const logged: S3Request = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        ended: false,
      };
      log.push(logged);
      await held(logged);
      const answer = (reply: Reply) => {
        logged.status = reply.status;
        res.writeHead(reply.status, {
          ...reply.headers,
          'content-length': String(Buffer.byteLength(reply.body ?? '')),
        });
        res.end(reply.body);
      };
      res.on('close', () => {
        logged.ended = true;
      });
      const outcome = await semantics.handle(call, req);
      if ('status' in outcome) return answer(outcome);
      let answered = false;
      const headers = {
        ...outcome.headers,
        ...(authorization && {
          authorization: (outcome.headers.authorization ?? '').replace(
            `Credential=${accessKeyId}/`,
            `Credential=${swiftUser}/`,
          ),
        }),
      };
      const upstream = request(
        { host: '127.0.0.1', port, method: req.method, path: req.url, headers },
        (reply) => {
          answered = true;
          const status = reply.statusCode ?? 502;
          logged.status = status;
          const replyHeaders = Object.fromEntries(
            Object.entries(reply.headers).map(([name, value]) => [
              name,
              Array.isArray(value) ? value.join(', ') : (value ?? ''),
            ]),
          );
          const rewrite = outcome.reply(status, replyHeaders);
          if (!rewrite) {
            res.writeHead(status, replyHeaders);
            reply.pipe(res);
            return;
          }
          const chunks: Buffer[] = [];
          reply.on('data', (chunk: Buffer) => chunks.push(chunk));
          reply.on('end', () => {
            const body = rewrite(Buffer.concat(chunks).toString());
            delete replyHeaders['transfer-encoding'];
            res.writeHead(status, {
              ...replyHeaders,
              'content-length': String(Buffer.byteLength(body)),
            });
            res.end(body);
          });
        },
      );
      upstream.on('error', (error) => {
        if (!answered && !res.headersSent) res.destroy(error);
      });
      const pace = limiter;
      const body: Readable = pace
        ? outcome.body.pipe(
            new Transform({
              transform(chunk: Buffer, _encoding, done) {
                pace.take(chunk.length).then(() => done(null, chunk), done);
              },
            }),
          )
        : outcome.body;
      // A part whose checksum fails never reaches Swift whole: S3's refusal is the answer.
      outcome.body.on('error', (error) => {
        upstream.destroy();
        if (error instanceof ReplyError && !res.headersSent) answer(error.reply);
        else res.destroy(error);
      });
      // A client gone mid-request takes its request to Swift with it, as a dropped connection would.
      res.on('close', () => {
        if (res.writableFinished) return;
        body.destroy();
        upstream.destroy();
      });
      body.pipe(upstream);
    };
    router = createServer((req: IncomingMessage, res: ServerResponse) => {
      route(req, res).catch((error: unknown) => res.destroy(error as Error));
    });
    await new Promise<void>((resolve) => router?.listen(0, '127.0.0.1', resolve));
    const { port } = router.address() as AddressInfo;
    const endpoint = `http://127.0.0.1:${port}`;
    return {
      endpoint,
      accessKeyId,
      secretAccessKey,
      accountId,
      regions,
      requests: () => [...log],
      throttleUploads(bytesPerSecond) {
        limiter = bytesPerSecond ? new RateLimiter(bytesPerSecond) : undefined;
      },
      async squatBucket(bucket, squatOptions = {}) {
        const s3 = new S3Client({
          endpoint,
          region: regions[0]!,
          forcePathStyle: true,
          credentials: { accessKeyId, secretAccessKey },
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        });
        try {
          await s3.send(new CreateBucketCommand({ Bucket: bucket }));
        } finally {
          s3.destroy();
        }
        semantics.owners.squat(bucket, otherAccountId, squatOptions.othersMayUse ?? false);
      },
      encryptWithKms: (bucket) => semantics.kms.encrypt(bucket),
      barrier(match, count) {
        barriers.push({ match, count, waiting: [] });
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
