import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { Agent } from 'undici';
import {
  AuthenticationError,
  CancelledError,
  ConflictError,
  GlanceClient,
  glanceRoot,
  IntegrityError,
  InvalidRequestError,
  NotFoundError,
  TransientError,
  type GlanceImage,
  type TokenProvider,
} from '@glint/cloud-adapters';
import {
  sendJson,
  startFakeService,
  type FakeService,
  type RecordedRequest,
} from './openstack-fake-service';

/** Hands out `token-1`, `token-2`, … and records what was invalidated. */
class CountingTokens implements TokenProvider {
  issued = 1;
  invalidated: (string | undefined)[] = [];
  async token(): Promise<string> {
    return `token-${this.issued}`;
  }
  invalidate(rejected?: string): void {
    this.invalidated.push(rejected);
    this.issued++;
  }
}

const data = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
const images: GlanceImage[] = Array.from({ length: 5 }, (_, i) => ({
  id: `image-${i}`,
  name: `n${i}`,
  status: 'active',
}));

/** Enough of Glance under a path prefix, as some deployments put it, to exercise the client. */
async function fakeGlance(
  routes: { acceptedToken?: (token: string) => boolean; ignoreRange?: boolean } = {},
): Promise<FakeService> {
  const accepted = routes.acceptedToken ?? (() => true);
  return startFakeService((request: RecordedRequest, response) => {
    if (!accepted(String(request.headers['x-auth-token']))) {
      sendJson(response, 401, {
        error: { code: 401, message: 'The request you have made requires authentication.' },
      });
      return;
    }
    const url = new URL(request.url, 'http://glance');
    if (!url.pathname.startsWith('/image/v2/')) {
      sendJson(response, 404, { message: 'not under /image' });
      return;
    }
    const path = url.pathname.slice('/image'.length);
    if (request.method === 'GET' && path === '/v2/images') {
      const limit = Number(url.searchParams.get('limit'));
      const marker = url.searchParams.get('marker');
      const name = url.searchParams.get('name');
      const matching = name ? images.filter((i) => `eq:${String(i.name)}` === name) : images;
      const start = marker ? matching.findIndex((i) => i.id === marker) + 1 : 0;
      const page = matching.slice(start, start + limit);
      url.searchParams.set('marker', page[page.length - 1]?.id ?? '');
      const next = page.length === limit ? { next: `/v2/images?${url.searchParams}` } : {};
      sendJson(response, 200, {
        images: page,
        first: '/v2/images',
        schema: '/v2/schemas/images',
        ...next,
      });
    } else if (request.method === 'GET' && path === '/v2/images/full/file') {
      const range = /^bytes=(\d+)-$/.exec(String(request.headers.range ?? ''));
      const start = range && !routes.ignoreRange ? Number(range[1]) : 0;
      if (start >= data.length) {
        sendJson(response, 416, { message: 'Invalid start position in Range header.' });
      } else if (start > 0) {
        response.writeHead(206, {
          'content-range': `bytes ${start}-${data.length - 1}/${data.length}`,
          'content-length': data.length - start,
        });
        response.end(data.subarray(start));
      } else {
        response.writeHead(200, {
          'content-length': data.length,
          'content-type': 'application/octet-stream',
        });
        response.end(data);
      }
    } else if (request.method === 'GET' && path === '/v2/images/full') {
      sendJson(response, 200, { id: 'full', size: data.length, status: 'active' });
    } else if (request.method === 'GET' && path === '/v2/images/empty/file') {
      response.writeHead(204).end();
    } else if (request.method === 'GET' && path === '/v2/images/slow/file') {
      response.writeHead(200, { 'content-length': data.length });
      response.write(data.subarray(0, 1000));
    } else if (request.method === 'PUT' && path === '/v2/images/queued/file') {
      response.writeHead(204).end();
    } else if (request.method === 'PUT' && /^\/v2\/images\/(raced|gone)\/file$/.test(path)) {
      sendJson(response, 410, { message: 'Image could not be found after upload.' });
    } else if (request.method === 'GET' && path === '/v2/images/raced') {
      sendJson(response, 200, { id: 'raced', status: 'queued' });
    } else if (request.method === 'PATCH') {
      sendJson(response, 200, { id: 'x', status: 'active' });
    } else if (request.method === 'GET' && path === '/v2/info/import') {
      sendJson(response, 200, {
        'import-methods': {
          description: 'Import methods available.',
          type: 'array',
          value: ['glance-direct', 'web-download'],
        },
      });
    } else {
      sendJson(response, 404, { message: `no route for ${request.method} ${path}` });
    }
  });
}

async function read(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('glanceRoot', () => {
  it('strips trailing slashes and a version from the catalog URL', () => {
    expect(glanceRoot('http://g:9292')).toBe('http://g:9292');
    expect(glanceRoot('http://g:9292/')).toBe('http://g:9292');
    expect(glanceRoot('http://g:9292/v2/')).toBe('http://g:9292');
    expect(glanceRoot('https://cloud/image/v2.16')).toBe('https://cloud/image');
  });
});

describe('GlanceClient against a scripted fake Glance (mock: unit tests run without services)', () => {
  const agent = new Agent();
  let glance: FakeService;
  let tokens: CountingTokens;
  const client = (pageSize?: number) =>
    new GlanceClient(`${glance.url}/image/`, tokens, { dispatcher: agent, pageSize });

  beforeAll(async () => {
    glance = await fakeGlance();
  });
  afterAll(async () => {
    await glance.close();
    await agent.close();
  });
  beforeEach(() => {
    tokens = new CountingTokens();
    glance.requests.length = 0;
  });

  it('lists every page, following relative next links under the endpoint path', async () => {
    const listed: string[] = [];
    for await (const image of client(2).listImages()) listed.push(image.id);
    expect(listed).toEqual(images.map((i) => i.id));
    expect(glance.requests.map((r) => r.url)).toEqual([
      '/image/v2/images?limit=2',
      '/image/v2/images?limit=2&marker=image-1',
      '/image/v2/images?limit=2&marker=image-3',
    ]);
  });

  it('filters by exact name, colons and all, on every page', async () => {
    images.push({ id: 'image-colon', name: 'ubuntu:22.04', status: 'active' });
    try {
      const listed: string[] = [];
      for await (const image of client(1).listImages({ name: 'ubuntu:22.04' }))
        listed.push(image.id);
      expect(listed).toEqual(['image-colon']);
      expect(glance.requests.map((r) => r.url)).toEqual([
        '/image/v2/images?limit=1&name=eq%3Aubuntu%3A22.04',
        '/image/v2/images?limit=1&name=eq%3Aubuntu%3A22.04&marker=image-colon',
      ]);
    } finally {
      images.pop();
    }
  });

  it('stops at an empty page even when a next link is given', async () => {
    const listed: string[] = [];
    for await (const image of client(5).listImages()) listed.push(image.id);
    expect(listed).toHaveLength(5);
    expect(glance.requests).toHaveLength(2);
  });

  it('sends tags and properties as an openstack json-patch', async () => {
    await client().updateImage('x', [{ op: 'replace', path: '/tags', value: ['a'] }]);
    expect(glance.requests[0]!.headers['content-type']).toBe(
      'application/openstack-images-v2.1-json-patch',
    );
    expect(JSON.parse(glance.requests[0]!.body.toString())).toEqual([
      { op: 'replace', path: '/tags', value: ['a'] },
    ]);
  });

  it('lists the import methods', async () => {
    expect(await client().importMethods()).toEqual(['glance-direct', 'web-download']);
  });

  it('streams an upload chunked, with the declared size', async () => {
    await client().uploadData(
      'queued',
      Readable.from([data.subarray(0, 50_000), data.subarray(50_000)]),
      { size: data.length },
    );
    const [upload] = glance.requests;
    expect(upload).toMatchObject({ method: 'PUT', url: '/image/v2/images/queued/file' });
    expect(upload!.headers).toMatchObject({
      'content-type': 'application/octet-stream',
      'transfer-encoding': 'chunked',
      'x-openstack-image-size': String(data.length),
      'x-auth-token': 'token-1',
    });
    expect(upload!.body.equals(data)).toBe(true);
  });

  it('fails an upload whose data is not the declared size', async () => {
    const upload = client().uploadData('queued', Readable.from([data]), { size: data.length + 1 });
    await expect(upload).rejects.toBeInstanceOf(IntegrityError);
    await expect(upload).rejects.toThrow(/not the 100001 bytes declared/);
  });

  it('tells a deleted image from one whose earlier upload raced this one (410)', async () => {
    const raced = client().uploadData('raced', Readable.from([data]));
    await expect(raced).rejects.toBeInstanceOf(TransientError);
    await expect(raced).rejects.toThrow(
      /the image is still there \(status queued\), so the upload can be retried/,
    );
    await expect(client().uploadData('gone', Readable.from([data]))).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('downloads from an offset with a Range header', async () => {
    const download = await client().openDownload('full', { offset: 60_000 });
    expect(glance.requests[0]!.headers.range).toBe('bytes=60000-');
    expect(download).toMatchObject({ offset: 60_000, size: data.length });
    expect((await read(download.stream)).equals(data.subarray(60_000))).toBe(true);
  });

  it('resuming at the very end gives an empty stream, not an error', async () => {
    const download = await client().openDownload('full', { offset: data.length });
    expect(download).toMatchObject({ offset: data.length, size: data.length });
    expect(await read(download.stream)).toHaveLength(0);
    await expect(client().openDownload('full', { offset: data.length + 5 })).rejects.toThrow(
      InvalidRequestError,
    );
  });

  it('says so when an image has no data', async () => {
    await expect(client().openDownload('empty')).rejects.toThrow(ConflictError);
    await expect(client().openDownload('empty')).rejects.toThrow(
      /has no data for image empty \(204\)/,
    );
  });

  it('turns an aborted download into a cancellation on the stream', async () => {
    const controller = new AbortController();
    const download = await client().openDownload('slow', { signal: controller.signal });
    const reading = read(download.stream);
    setTimeout(() => controller.abort(), 50);
    await expect(reading).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('GlanceClient against a scripted fake Glance that ignores Range (mock: real Glance always honours it)', () => {
  const agent = new Agent();
  let glance: FakeService;

  beforeAll(async () => {
    glance = await fakeGlance({ ignoreRange: true });
  });
  afterAll(async () => {
    await glance.close();
    await agent.close();
  });

  it('drops the bytes before the offset from a 200 reply', async () => {
    const download = await new GlanceClient(`${glance.url}/image`, new CountingTokens(), {
      dispatcher: agent,
    }).openDownload('full', {
      offset: 12_345,
    });
    const received = await read(download.stream);
    expect(download.offset).toBe(12_345);
    expect(createHash('sha256').update(received).digest('hex')).toBe(
      createHash('sha256').update(data.subarray(12_345)).digest('hex'),
    );
  });
});

describe('GlanceClient after a 401 from a scripted fake Glance (mock: unit tests run without services)', () => {
  const agent = new Agent();
  let glance: FakeService;
  let acceptable = 'token-2';

  beforeAll(async () => {
    glance = await fakeGlance({ acceptedToken: (token) => token === acceptable });
  });
  afterAll(async () => {
    await glance.close();
    await agent.close();
  });

  it('drops the rejected token and retries once', async () => {
    acceptable = 'token-2';
    const tokens = new CountingTokens();
    expect(
      await new GlanceClient(`${glance.url}/image`, tokens, { dispatcher: agent }).importMethods(),
    ).toHaveLength(2);
    expect(tokens.invalidated).toEqual(['token-1']);
  });

  it('gives up after the second 401', async () => {
    acceptable = 'never';
    const tokens = new CountingTokens();
    const failure = new GlanceClient(`${glance.url}/image`, tokens, {
      dispatcher: agent,
    }).importMethods();
    await expect(failure).rejects.toBeInstanceOf(AuthenticationError);
    await expect(failure).rejects.toThrow(/Glance rejected a token Keystone had just issued/);
    expect(tokens.invalidated).toEqual(['token-1', 'token-2']);
  });

  it('does not resend an upload, but drops the token and reports a transient failure', async () => {
    acceptable = 'token-2';
    const tokens = new CountingTokens();
    const upload = new GlanceClient(`${glance.url}/image`, tokens, {
      dispatcher: agent,
    }).uploadData('queued', Readable.from([data]));
    await expect(upload).rejects.toBeInstanceOf(TransientError);
    expect(tokens.invalidated).toEqual(['token-1']);
  });
});
