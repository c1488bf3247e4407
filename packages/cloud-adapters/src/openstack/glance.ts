import { pipeline, Readable, Transform } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { Download, DownloadOptions, ImageQuery, UploadOptions } from '../adapter';
import {
  AuthenticationError,
  ConflictError,
  IntegrityError,
  InvalidRequestError,
  NotFoundError,
  TransientError,
} from '../errors';
import { errorForNetworkFailure, errorForResponse, readJson, send, type ServiceCall } from './http';
import type { GlanceImage, JsonPatchOperation } from './image-mapping';
import type { TokenProvider } from './keystone';

export interface GlanceClientOptions {
  dispatcher: Dispatcher;
  /** Images per list page. Glance caps it at its `api_limit_max` (1000 unless configured). */
  pageSize?: number;
}

interface GlanceRequest {
  method: Dispatcher.HttpMethod;
  /** From `/v2/…` on, as Glance's own `next` links are; or an absolute URL. */
  path: string;
  action: string;
  headers?: Record<string, string>;
  body?: string | Readable;
  signal?: AbortSignal;
  advice?: Partial<Record<number, string>>;
  /** Error statuses the caller handles itself. */
  accept?: number[];
  /** See ServiceCall. */
  quoteReply?: boolean;
}

interface ImagePage {
  images?: unknown;
  next?: string;
}

const defaultPageSize = 200;

/** The images of a list page; a reply without an image list did not come from Glance. */
function imagesOf(page: ImagePage, call: ServiceCall): GlanceImage[] {
  if (Array.isArray(page.images)) return page.images as GlanceImage[];
  throw new InvalidRequestError(
    `${call.service} at ${call.url} answered ${call.action} without a list of images, so it is not ` +
      "Glance's image API: check the site's image endpoint override, or the image endpoint in its Keystone catalog",
  );
}

/**
 * The Glance root from a catalog URL. Catalogs list it with or without a trailing `/` or version;
 * Glance's links (`next`, `file`) start at `/v2`, relative to this root and not to the host, which
 * matters when Glance sits under a path such as `https://cloud.example.org/image`.
 */
export function glanceRoot(endpoint: string): string {
  // Glint appends paths to the root; a query or fragment would swallow them.
  if (/[?#]/.test(endpoint))
    throw new InvalidRequestError(
      `the image endpoint ${endpoint} has a query or a fragment, which no Glance endpoint has: give Glance's URL, e.g. https://glance.example.org:9292`,
    );
  return endpoint.replace(/\/+$/, '').replace(/\/v2(\.\d+)?$/, '');
}

function imagePath(id: string, suffix = ''): string {
  return `/v2/images/${encodeURIComponent(id)}${suffix}`;
}

/** `Content-Range: bytes 100-199/200` → start and total (null for `*`). */
function parseContentRange(
  header: string | string[] | undefined,
): { start: number; total: number | null } | undefined {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(typeof header === 'string' ? header.trim() : '');
  if (!match) return undefined;
  return { start: Number(match[1]), total: match[2] === '*' ? null : Number(match[2]) };
}

function numericHeader(header: string | string[] | undefined): number | null {
  return typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : null;
}

/** Counts what passes through, so an upload of another length than declared fails before Glance keeps it. */
function exactLength(expected: number, imageId: string): Transform {
  let seen = 0;
  const mismatch = () =>
    new IntegrityError(
      `the data for image ${imageId} is not the ${expected} bytes declared for it (read ${seen} so far)`,
    );
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      callback(seen > expected ? mismatch() : null, chunk);
    },
    flush(callback) {
      callback(seen === expected ? null : mismatch());
    },
  });
}

/**
 * The body of a download as the caller reads it: the first `skip` bytes dropped (for a server that
 * ignored the Range header), failures while reading turned into typed errors, and the connection
 * released when the caller stops reading early.
 */
function downloadStream(
  body: Readable,
  skip: number,
  call: ServiceCall,
  signal?: AbortSignal,
): Readable {
  let toSkip = skip;
  const output = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (toSkip >= chunk.length) {
        toSkip -= chunk.length;
        callback();
        return;
      }
      const rest = chunk.subarray(toSkip);
      toSkip = 0;
      callback(null, rest);
    },
    flush(callback) {
      callback(
        toSkip > 0
          ? new TransientError(
              `${call.service} at ${call.url} ended the data before the requested offset`,
            )
          : null,
      );
    },
  });
  body.on('error', (error) => output.destroy(errorForNetworkFailure(error, call, 'body', signal)));
  output.on('close', () => body.destroy());
  body.pipe(output);
  return output;
}

/** Glance v2 for one endpoint, with tokens from a provider; every call is retried once after a 401. */
export class GlanceClient {
  readonly root: string;
  private readonly pageSize: number;

  constructor(
    endpoint: string,
    private readonly tokens: TokenProvider,
    private readonly options: GlanceClientOptions,
  ) {
    this.root = glanceRoot(endpoint);
    this.pageSize = options.pageSize ?? defaultPageSize;
  }

  /**
   * Every image the token can list that matches `query`, following Glance's `next` links (which
   * keep the filters) until there are none. Glance's default listing leaves out hidden images and
   * `os_hidden=true` lists only them, so with `includeHidden` both listings are read, one after the
   * other: an image is in exactly one of them.
   */
  async *listImages(query: ImageQuery = {}): AsyncGenerator<GlanceImage> {
    yield* this.listPages(query, false);
    if (query.includeHidden) yield* this.listPages(query, true);
  }

  private async *listPages(query: ImageQuery, hidden: boolean): AsyncGenerator<GlanceImage> {
    const params = new URLSearchParams({ limit: String(this.pageSize) });
    // Glance reads `name=a:b` as operator `a`; `eq:` makes any name, colons included, exact.
    if (query.name !== undefined) params.set('name', `eq:${query.name}`);
    if (hidden) params.set('os_hidden', 'true');
    let next: string | undefined = `/v2/images?${params}`;
    while (next) {
      const { response, call } = await this.exchange({
        method: 'GET',
        path: next,
        action: hidden ? 'list hidden images' : 'list images',
      });
      const page = await readJson<ImagePage>(response, call);
      const images = imagesOf(page, call);
      yield* images;
      // Glance links a next page whenever a page is full, even when nothing follows.
      next = images.length > 0 ? page.next : undefined;
    }
  }

  /**
   * The cheapest call that proves Glance answers and lets this token list images: an answer
   * without an image list is not Glance's, whatever its status.
   */
  async checkAccess(): Promise<void> {
    const { response, call } = await this.exchange({
      method: 'GET',
      path: '/v2/images?limit=1',
      action: 'list images',
      quoteReply: false,
      advice: { 404: "this is not Glance's image API: check the image endpoint" },
    });
    imagesOf(await readJson<ImagePage>(response, call), call);
  }

  getImage(id: string): Promise<GlanceImage> {
    return this.json<GlanceImage>({
      method: 'GET',
      path: imagePath(id),
      action: `get image ${id}`,
    });
  }

  createImage(body: Record<string, unknown>): Promise<GlanceImage> {
    return this.json<GlanceImage>({
      method: 'POST',
      path: '/v2/images',
      action: `create image "${String(body.name)}"`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      advice: { 409: 'an image with this id already exists; get it instead of creating it again' },
    });
  }

  updateImage(id: string, operations: JsonPatchOperation[]): Promise<GlanceImage> {
    return this.json<GlanceImage>({
      method: 'PATCH',
      path: imagePath(id),
      action: `update image ${id}`,
      headers: { 'content-type': 'application/openstack-images-v2.1-json-patch' },
      body: JSON.stringify(operations),
    });
  }

  async deleteImage(id: string): Promise<void> {
    const { response } = await this.exchange({
      method: 'DELETE',
      path: imagePath(id),
      action: `delete image ${id}`,
      advice: {
        403: 'the image is protected, or the user may not delete it; unprotect it or ask its owner',
      },
    });
    await response.body.dump();
  }

  /** The import methods this Glance offers (`web-download`, `glance-direct`, …). */
  async importMethods(): Promise<string[]> {
    const info = await this.json<{ 'import-methods'?: { value?: string[] } }>({
      method: 'GET',
      path: '/v2/info/import',
      action: 'list import methods',
    });
    return info['import-methods']?.value ?? [];
  }

  /**
   * Asks this Glance to pull image `sourceImageId` from the Glance of `sourceRegion` in the same
   * Keystone (glance-download, Zed and later); the image `id` must be queued. Glance answers at
   * once and copies in the background; the image turns active, or back to queued on failure.
   */
  async importFromRegion(id: string, sourceImageId: string, sourceRegion: string): Promise<void> {
    const { response } = await this.exchange({
      method: 'POST',
      path: imagePath(id, '/import'),
      action: `import image ${id} from ${sourceRegion} (glance-download)`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        method: {
          name: 'glance-download',
          glance_image_id: sourceImageId,
          glance_region: sourceRegion,
          glance_service_interface: 'public',
        },
      }),
    });
    await response.body.dump();
  }

  /**
   * Streams the data, chunked. A stream cannot be sent twice, so a 401 here is not retried: the
   * token is dropped and the error is transient, so that the caller's retry logs in afresh.
   */
  async uploadData(id: string, data: Readable, options: UploadOptions = {}): Promise<void> {
    const { size, signal } = options;
    // Zed's Glance ignores x-openstack-image-size, so the length is also checked on the way out.
    const body = size === undefined ? data : pipeline(data, exactLength(size, id), () => {});
    try {
      const { response } = await this.exchange(
        {
          method: 'PUT',
          path: imagePath(id, '/file'),
          action: `upload data for image ${id}`,
          headers: {
            'content-type': 'application/octet-stream',
            ...(size === undefined ? {} : { 'x-openstack-image-size': String(size) }),
          },
          body,
          signal,
          advice: {
            401: 'the token expired or was revoked during the upload; it has been dropped, so a retry logs in again',
          },
        },
        false,
      );
      await response.body.dump();
    } catch (error) {
      data.destroy();
      if (error instanceof AuthenticationError) {
        throw new TransientError(error.message, { status: 401, cause: error });
      }
      if (error instanceof NotFoundError && error.status === 410)
        throw await this.goneOrRaced(id, error);
      throw error;
    }
  }

  /**
   * Glance answers 410 when an image's status changed under an upload. That is a deleted image, or
   * an earlier, broken-off upload of the same image whose late clean-up put it back to `queued`
   * (seen in the sandbox under load): then the image is still there and the upload can be retried.
   */
  private async goneOrRaced(id: string, gone: NotFoundError): Promise<Error> {
    try {
      const image = await this.getImage(id);
      return new TransientError(
        `${gone.message}; the image is still there (status ${String(image.status)}), so the upload can be retried`,
        { status: 410, cause: gone },
      );
    } catch (error) {
      return error instanceof NotFoundError ? gone : (error as Error);
    }
  }

  /**
   * Opens the image data from `offset` on. Glance answers a Range with 206; a server that answers
   * 200 instead sends everything, and the bytes before `offset` are dropped here.
   */
  async openDownload(id: string, options: DownloadOptions = {}): Promise<Download> {
    const offset = options.offset ?? 0;
    const { response, call } = await this.exchange({
      method: 'GET',
      path: imagePath(id, '/file'),
      action: `download image ${id}`,
      headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
      signal: options.signal,
      advice: { 403: 'the image is deactivated, or the user may not download it' },
      accept: [416],
    });
    if (response.statusCode === 204) {
      await response.body.dump();
      throw new ConflictError(
        `Glance at ${call.url} has no data for image ${id} (204): upload its data before downloading it`,
        { status: 204 },
      );
    }
    if (response.statusCode === 416) {
      await response.body.dump();
      return this.downloadAtEnd(id, offset);
    }
    let start = 0;
    let size = numericHeader(response.headers['content-length']);
    if (response.statusCode === 206) {
      const range = parseContentRange(response.headers['content-range']);
      if (!range) {
        await response.body.dump();
        throw new InvalidRequestError(
          `Glance at ${call.url} answered the ranged download of image ${id} without a usable Content-Range`,
          { status: 206 },
        );
      }
      ({ start, total: size } = range);
    }
    if (start > offset) {
      await response.body.dump();
      throw new InvalidRequestError(
        `Glance at ${call.url} answered a download of image ${id} from byte ${offset} with data from byte ${start}`,
        { status: response.statusCode },
      );
    }
    return {
      stream: downloadStream(response.body, offset - start, call, options.signal),
      offset,
      size,
    };
  }

  /** Glance answers 416 to a Range that starts at the end; resuming a download that was complete is not an error. */
  private async downloadAtEnd(id: string, offset: number): Promise<Download> {
    const image = await this.getImage(id);
    if (image.size !== offset) {
      throw new InvalidRequestError(
        `cannot resume the download of image ${id} at byte ${offset}: the image has ${String(image.size)} bytes; start again from 0`,
        { status: 416 },
      );
    }
    return { stream: Readable.from([]), offset, size: offset };
  }

  private async json<T>(request: GlanceRequest): Promise<T> {
    const { response, call } = await this.exchange(request);
    return readJson<T>(response, call);
  }

  private async exchange(
    request: GlanceRequest,
    retryAfter401 = true,
  ): Promise<{ response: Dispatcher.ResponseData; call: ServiceCall }> {
    for (let attempt = 1; ; attempt++) {
      const token = await this.tokens.token();
      const call: ServiceCall = {
        service: 'Glance',
        action: request.action,
        url: /^https?:\/\//i.test(request.path) ? request.path : `${this.root}${request.path}`,
        secrets: [token],
        ...(request.quoteReply === false && { quoteReply: false }),
        advice: {
          401: "Glance rejected a token Keystone had just issued; check Glance's [keystone_authtoken] settings",
          ...request.advice,
        },
      };
      const response = await send(this.options.dispatcher, {
        ...call,
        method: request.method,
        headers: { ...request.headers, 'x-auth-token': token },
        body: request.body,
        signal: request.signal,
      });
      const status = response.statusCode;
      if (status === 401) {
        this.tokens.invalidate(token);
        if (retryAfter401 && attempt === 1) {
          await response.body.dump();
          continue;
        }
      }
      if ((status < 200 || status >= 300) && !request.accept?.includes(status))
        throw await errorForResponse(response, call);
      return { response, call };
    }
  }
}
