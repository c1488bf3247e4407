import { Agent } from 'undici';
import {
  AuthenticationError,
  CancelledError,
  ConflictError,
  errorForNetworkFailure,
  errorForStatus,
  extractServerMessage,
  IntegrityError,
  InvalidRequestError,
  NotFoundError,
  PermissionError,
  QuotaError,
  TransientError,
  UnreachableError,
  type ServiceCall,
} from '@glint/cloud-adapters';
import { send } from '../src/openstack/http';
import { startFakeService, type FakeService } from './openstack-fake-service';

const call: ServiceCall = {
  service: 'Glance',
  action: 'delete image abc',
  url: 'http://glance:9292/v2/images/abc',
};

/** How webob renders a Glance error when asked for JSON. */
function glanceBody(status: string, explanation: string): string {
  return JSON.stringify({
    message: `${explanation}<br /><br />\n\n\n`,
    code: status,
    title: status.slice(4),
  });
}

function networkError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

describe('extractServerMessage', () => {
  it('reads Keystone, Glance, nested and plain-text error bodies', () => {
    expect(
      extractServerMessage(
        '{"error": {"code": 401, "message": "The request you have made requires authentication.", "title": "Unauthorized"}}',
      ),
    ).toBe('The request you have made requires authentication.');
    expect(
      extractServerMessage(
        glanceBody('409 Conflict', 'Image status transition from active to saving is not allowed'),
      ),
    ).toBe('Image status transition from active to saving is not allowed');
    expect(extractServerMessage('{"itemNotFound": {"message": "No image"}}')).toBe('No image');
    expect(extractServerMessage('<html><body><h1>502 Bad Gateway</h1></body></html>')).toBe(
      '502 Bad Gateway',
    );
    expect(extractServerMessage('')).toBe('');
  });
});

describe('errorForStatus', () => {
  it('maps statuses onto the typed errors', () => {
    expect(errorForStatus(401, '', call)).toBeInstanceOf(AuthenticationError);
    expect(errorForStatus(403, '', call)).toBeInstanceOf(PermissionError);
    expect(errorForStatus(404, '', call)).toBeInstanceOf(NotFoundError);
    expect(errorForStatus(410, '', call)).toBeInstanceOf(NotFoundError);
    expect(errorForStatus(400, '', call)).toBeInstanceOf(InvalidRequestError);
    expect(errorForStatus(415, '', call)).toBeInstanceOf(InvalidRequestError);
    expect(errorForStatus(429, '', call)).toBeInstanceOf(TransientError);
    expect(errorForStatus(500, '', call)).toBeInstanceOf(TransientError);
    expect(errorForStatus(503, '', call)).toBeInstanceOf(TransientError);
  });

  it('says who refused what, at which URL, why, and how to fix it', () => {
    const error = errorForStatus(
      404,
      glanceBody('404 Not Found', 'No image found with ID abc'),
      call,
    );
    expect(error.message).toBe(
      'Glance at http://glance:9292/v2/images/abc refused to delete image abc (404: No image found with ID abc): it does not exist, or this project cannot see it',
    );
    expect(error.status).toBe(404);
    expect(errorForStatus(502, '', call).message).toMatch(
      /^Glance at \S+ failed to delete image abc \(502\): the service failed; retry later/,
    );
  });

  it("uses the caller's advice for a status", () => {
    expect(
      errorForStatus(401, '', { ...call, advice: { 401: 'check the password' } }).message,
    ).toMatch(/\(401\): check the password$/);
  });

  it('treats Glance 409s that mean "busy" as transient and the rest as conflicts', () => {
    for (const busy of [
      'Image has active task',
      "New operation on image 'abc' is not permitted as prior operation is still in progress",
      'Image abc could not be deleted because it is in use: rbd busy',
      'An object with the same identifier is currently being operated on.',
      'Image status transition from saving to saving is not allowed',
    ]) {
      expect(errorForStatus(409, glanceBody('409 Conflict', busy), call)).toBeInstanceOf(
        TransientError,
      );
    }
    for (const permanent of [
      'Image status transition from active to saving is not allowed',
      'Image with identifier abc already exists!',
      'Property foo does not exist.',
    ]) {
      expect(errorForStatus(409, glanceBody('409 Conflict', permanent), call)).toBeInstanceOf(
        ConflictError,
      );
    }
  });

  it('treats a 413 about quota or full storage as a quota error, and an oversized image as invalid', () => {
    expect(
      errorForStatus(
        413,
        glanceBody(
          '413 Request Entity Too Large',
          'Image exceeds the storage quota: 10 bytes remaining',
        ),
        call,
      ),
    ).toBeInstanceOf(QuotaError);
    expect(
      errorForStatus(
        413,
        glanceBody('413 Request Entity Too Large', 'Image storage media is full: disk'),
        call,
      ),
    ).toBeInstanceOf(QuotaError);
    expect(
      errorForStatus(
        413,
        'Resource image_size_total is over limit of 1000 due to current usage 900 and delta 200',
        call,
      ),
    ).toBeInstanceOf(QuotaError);
    expect(
      errorForStatus(
        413,
        glanceBody('413 Request Entity Too Large', 'The incoming image is too large'),
        call,
      ),
    ).toBeInstanceOf(InvalidRequestError);
  });

  it('never repeats a secret the server echoed', () => {
    const error = errorForStatus(400, '{"error": {"message": "bad password hunter2"}}', {
      ...call,
      secrets: ['hunter2'],
    });
    expect(error.message).toContain('bad password ***');
    expect(error.message).not.toContain('hunter2');
  });

  it('never repeats a secret the server echoed escaped, as JSON or URL-encoded', () => {
    const secret = 'hu"nt\\er\t2';
    const body = JSON.stringify({
      error: {
        message: `bad ${JSON.stringify({ password: secret })} ${encodeURIComponent(secret)}`,
      },
    });
    const error = errorForStatus(400, body, { ...call, secrets: [secret] });
    expect(error.message).toMatch(/^.*bad \{"password":"\*\*\*"\} \*\*\*.*$/);
  });

  it('quotes nothing of the reply to a login, which may echo what was sent', () => {
    const error = errorForStatus(
      400,
      '{"error": {"message": "Invalid input: {\\"password\\": \\"x\\"}"}}',
      { ...call, quoteReply: false },
    );
    expect(error.message).not.toContain('Invalid input');
    expect(error.message).toContain('(400)');
  });
});

describe('errorForNetworkFailure', () => {
  it('treats a failure to connect as unreachable and a broken connection as transient', () => {
    expect(errorForNetworkFailure(networkError('ECONNREFUSED'), call, 'request')).toBeInstanceOf(
      UnreachableError,
    );
    expect(errorForNetworkFailure(networkError('ENOTFOUND'), call, 'request')).toBeInstanceOf(
      UnreachableError,
    );
    expect(
      errorForNetworkFailure(networkError('UND_ERR_CONNECT_TIMEOUT'), call, 'request'),
    ).toBeInstanceOf(UnreachableError);
    expect(errorForNetworkFailure(networkError('ECONNRESET'), call, 'request')).toBeInstanceOf(
      TransientError,
    );
    expect(errorForNetworkFailure(networkError('EPIPE'), call, 'request')).toBeInstanceOf(
      TransientError,
    );
    expect(
      errorForNetworkFailure(networkError('UND_ERR_SOCKET', 'other side closed'), call, 'request'),
    ).toBeInstanceOf(TransientError);
    expect(errorForNetworkFailure(networkError('ECONNREFUSED'), call, 'body')).toBeInstanceOf(
      TransientError,
    );
  });

  it('finds the code in a cause or among the attempts of a multi-address connect', () => {
    const wrapped = new TypeError('fetch failed', {
      cause: new AggregateError([networkError('ECONNREFUSED')]),
    });
    expect(errorForNetworkFailure(wrapped, call, 'request')).toBeInstanceOf(UnreachableError);
  });

  it('explains TLS verification failures', () => {
    const error = errorForNetworkFailure(
      networkError('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'),
      call,
      'request',
    );
    expect(error).toBeInstanceOf(UnreachableError);
    expect(error.message).toMatch(
      /give the site the CA bundle that signed the server's certificate/,
    );
  });

  it('reports cancellation when the signal was aborted', () => {
    const controller = new AbortController();
    controller.abort();
    expect(
      errorForNetworkFailure(networkError('UND_ERR_ABORTED'), call, 'body', controller.signal),
    ).toBeInstanceOf(CancelledError);
  });

  it('passes on typed errors from an upload source as they are', () => {
    const source = new IntegrityError('short read');
    expect(errorForNetworkFailure(source, call, 'request')).toBe(source);
  });
});

describe('send, against scripted fake services on loopback (mock: unit tests run without services)', () => {
  const agent = new Agent();
  let service: FakeService;

  beforeAll(async () => {
    service = await startFakeService((request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ accept: request.headers.accept }));
    });
  });
  afterAll(async () => {
    await service.close();
    await agent.close();
  });

  it('always asks for JSON', async () => {
    const response = await send(agent, { ...call, url: service.url, method: 'GET' });
    expect(await response.body.json()).toEqual({ accept: 'application/json' });
  });

  it('reports a closed port as unreachable, saying what and where', async () => {
    const failure = send(agent, { ...call, url: 'http://127.0.0.1:1/v2/images', method: 'GET' });
    await expect(failure).rejects.toBeInstanceOf(UnreachableError);
    await expect(failure).rejects.toThrow(
      /^could not reach Glance at http:\/\/127\.0\.0\.1:1\/v2\/images to delete image abc \(ECONNREFUSED/,
    );
  });

  it('reports TLS spoken to a plain HTTP port as a TLS failure', async () => {
    const failure = send(agent, {
      ...call,
      url: service.url.replace('http:', 'https:'),
      method: 'GET',
    });
    await expect(failure).rejects.toBeInstanceOf(UnreachableError);
    await expect(failure).rejects.toThrow(/could not open a verified TLS connection/);
  });
});
