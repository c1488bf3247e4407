/**
 * The HTTP side: a POST of form-encoded Query parameters, signed with SigV4. The credential scope's
 * service picks EC2 or STS and its region the region acted on; the key picks the account. Replies
 * and errors are in each service's XML.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { copyImage } from './actions/copies';
import type { CopyRunner } from './copy-runner';
import { disableImageDeprecation, enableImageDeprecation } from './actions/deprecation';
import * as images from './actions/images';
import * as imports from './actions/imports';
import * as parameters from './actions/parameters';
import { describeRegions } from './actions/regions';
import * as snapshots from './actions/snapshots';
import * as sts from './actions/sts';
import { createTags, deleteTags } from './actions/tags';
import type { Action, ActionContext, Caller } from './context';
import type { DiskReader } from './disk-reader';
import { ApiError } from './errors';
import type { Faults } from './faults';
import { QueryParams } from './query';
import { parseAuthorization, verifySignature, type Authorization } from './sigv4';
import type { Ec2State } from './state';
import type { TaskRunner } from './tasks';
import { ec2Error, ec2Reply, stsError, stsReply } from './xml';

const ec2Actions: Record<string, Action> = {
  DescribeRegions: describeRegions,
  DescribeImages: images.describeImages,
  RegisterImage: images.registerImage,
  DeregisterImage: images.deregisterImage,
  EnableImageDeprecation: enableImageDeprecation,
  DisableImageDeprecation: disableImageDeprecation,
  CopyImage: copyImage,
  DescribeSnapshots: snapshots.describeSnapshots,
  DeleteSnapshot: snapshots.deleteSnapshot,
  CreateTags: createTags,
  DeleteTags: deleteTags,
  ImportImage: imports.importImage,
  ImportSnapshot: imports.importSnapshot,
  DescribeImportImageTasks: imports.describeImportImageTasks,
  DescribeImportSnapshotTasks: imports.describeImportSnapshotTasks,
  CancelImportTask: imports.cancelImportTask,
};

const stsActions: Record<string, Action> = {
  GetCallerIdentity: sts.getCallerIdentity,
  AssumeRole: sts.assumeRole,
};

const ssmActions: Record<string, parameters.JsonAction> = {
  PutParameter: parameters.putParameter,
  GetParameter: parameters.getParameter,
  GetParametersByPath: parameters.getParametersByPath,
  DeleteParameter: parameters.deleteParameter,
};

export interface Services {
  state: Ec2State;
  tasks: TaskRunner;
  copies: CopyRunner;
  disks: DiskReader;
  faults: Faults;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Who signed: an account's key, or temporary credentials from AssumeRole with their token. */
function authenticate(
  services: Services,
  auth: Authorization,
  req: IncomingMessage,
  body: Buffer,
): Caller {
  const { state } = services;
  const unknownKey =
    auth.service === 'sts'
      ? new ApiError(
          'InvalidClientTokenId',
          'The security token included in the request is invalid.',
        )
      : new ApiError('AuthFailure', 'AWS was not able to validate the provided access credentials');
  const account = state.accounts.find((a) => a.accessKeyId === auth.accessKeyId);
  const session = state.sessions.get(auth.accessKeyId);
  const request = { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body };
  if (account) {
    verifySignature(request, auth, account.secretAccessKey);
    return { account };
  }
  const sessionAccount = session && state.account(session.accountId);
  if (!session || !sessionAccount || req.headers['x-amz-security-token'] !== session.sessionToken) {
    throw unknownKey;
  }
  verifySignature(request, auth, session.secretAccessKey);
  if (session.expiration.getTime() < Date.now()) {
    throw new ApiError(
      auth.service === 'sts' ? 'ExpiredToken' : 'RequestExpired',
      'The security token included in the request is expired',
    );
  }
  return {
    account: sessionAccount,
    session: { roleName: session.roleName, sessionName: session.sessionName },
  };
}

/** How far a request's X-Amz-Date may be from the service's clock (AWS's common errors). */
const CLOCK_TOLERANCE_MS = 15 * 60_000;

/**
 * A request signed more than 15 minutes away from AWS's time: EC2 answers RequestExpired, STS
 * SignatureDoesNotMatch "Signature expired". Every reply's Date header is AWS's time, from which
 * the SDK corrects its clock offset and retries, as it does against AWS.
 */
function checkClock(req: IncomingMessage, service: 'ec2' | 'sts', now: number): void {
  const stamp = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(
    String(req.headers['x-amz-date'] ?? ''),
  );
  if (!stamp) return;
  const [, y, mo, d, h, mi, s] = stamp.map(Number) as number[];
  const signedAt = Date.UTC(y!, mo! - 1, d!, h, mi, s);
  if (Math.abs(now - signedAt) <= CLOCK_TOLERANCE_MS) return;
  if (service === 'sts')
    throw new ApiError(
      'SignatureDoesNotMatch',
      `Signature expired: ${String(req.headers['x-amz-date'])} is now earlier or later than 15 min. from now`,
    );
  throw new ApiError('RequestExpired', 'Request has expired.');
}

/** The codes SSM answers where EC2's Query protocol has its own. */
const ssmCodes: Record<string, string> = {
  AuthFailure: 'UnrecognizedClientException',
  SignatureDoesNotMatch: 'InvalidSignatureException',
  RequestExpired: 'InvalidSignatureException',
};

/** SSM's JSON 1.1: a POST whose X-Amz-Target names the action (`AmazonSSM.GetParameter`). */
async function handleJson(
  services: Services,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
): Promise<void> {
  const target = String(req.headers['x-amz-target']);
  const action = target.replace(/^AmazonSSM\./, '');
  let region = '';
  let accessKeyId = '';
  const reply = (status: number, json: Record<string, unknown>) => {
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': randomUUID(),
      date: new Date(services.faults.now()).toUTCString(),
    });
    res.end(JSON.stringify(json));
  };
  try {
    const auth = parseAuthorization(req.headers);
    ({ region, accessKeyId } = auth);
    const handler = auth.service === 'ssm' ? ssmActions[action] : undefined;
    if (!handler || !target.startsWith('AmazonSSM.'))
      throw new ApiError(
        'UnknownOperationException',
        `${target} is not an operation the emulator's SSM knows.`,
      );
    const caller = authenticate(services, auth, req, body);
    checkClock(req, 'ec2', services.faults.now());
    if (!caller.account.regions.includes(region))
      throw new ApiError(
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
    services.faults.check(action);
    const result = handler({
      state: services.state,
      caller,
      region,
      body: JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>,
      now: services.faults.now(),
    });
    services.faults.calls.push({ service: 'ssm', action, region, accessKeyId });
    reply(200, result);
  } catch (error) {
    const apiError =
      error instanceof ApiError ? error : new ApiError('InternalServerError', String(error), 500);
    const code = ssmCodes[apiError.code] ?? apiError.code;
    services.faults.calls.push({ service: 'ssm', action, region, accessKeyId, error: code });
    reply(apiError.status >= 500 ? apiError.status : 400, {
      __type: code,
      message: apiError.message,
    });
  }
}

async function handle(
  services: Services,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const requestId = randomUUID();
  const body = await readBody(req);
  if (req.headers['x-amz-target']) return handleJson(services, req, res, body);
  const params = QueryParams.parse(body.toString('utf8'));
  const action = params.get('Action') ?? '';
  let service: 'ec2' | 'sts' = 'ec2';
  let region = '';
  let accessKeyId = '';
  const reply = (status: number, xml: string) => {
    res.writeHead(status, {
      'content-type': 'text/xml;charset=UTF-8',
      'x-amzn-requestid': requestId,
      date: new Date(services.faults.now()).toUTCString(),
    });
    res.end(xml);
  };
  try {
    if (req.method !== 'POST') {
      throw new ApiError('InvalidHttpRequest', 'The emulator takes Query requests as POST.', 400);
    }
    const auth = parseAuthorization(req.headers);
    service = auth.service === 'sts' ? 'sts' : 'ec2';
    region = auth.region;
    accessKeyId = auth.accessKeyId;
    if (auth.service !== 'ec2' && auth.service !== 'sts') {
      throw new ApiError('InvalidAction', `The emulator serves ec2 and sts, not ${auth.service}.`);
    }
    const caller = authenticate(services, auth, req, body);
    checkClock(req, service, services.faults.now());
    // In a region the account has not enabled, EC2 answers AuthFailure (401), as for unknown keys:
    // that is what AWS does (observed by steampipe-plugin-aws#75, fog-aws#585), although its
    // error table suggests OptInRequired, which EC2 gives an account not subscribed or activated.
    if (!caller.account.regions.includes(region)) {
      if (service === 'sts') {
        throw new ApiError(
          'InvalidClientTokenId',
          'The security token included in the request is invalid.',
        );
      }
      throw new ApiError(
        'AuthFailure',
        'AWS was not able to validate the provided access credentials',
      );
    }
    const handler = (service === 'sts' ? stsActions : ec2Actions)[action];
    if (!handler) {
      throw new ApiError(
        'InvalidAction',
        `The action ${action} is not valid for this web service.`,
      );
    }
    services.faults.check(action);
    if (params.flag('DryRun')) {
      throw new ApiError(
        'DryRunOperation',
        'Request would have succeeded, but DryRun flag is set.',
        412,
      );
    }
    // Time moves every task in the region, whoever looks.
    for (const task of services.state.owned(
      services.state.tasks,
      region,
      caller.account.accountId,
    )) {
      services.tasks.advance(task, 0);
    }
    services.copies.advance();
    const context: ActionContext = { ...services, caller, region, params };
    const result = await handler(context);
    services.faults.calls.push({ service, action, region, accessKeyId });
    reply(
      200,
      service === 'sts' ? stsReply(action, requestId, result) : ec2Reply(action, requestId, result),
    );
  } catch (error) {
    const apiError =
      error instanceof ApiError
        ? error
        : new ApiError('InternalError', `An internal error has occurred: ${String(error)}`);
    services.faults.calls.push({ service, action, region, accessKeyId, error: apiError.code });
    reply(
      apiError.status,
      service === 'sts'
        ? stsError(requestId, apiError.code, apiError.message, apiError.status < 500)
        : ec2Error(requestId, apiError.code, apiError.message),
    );
  }
}

export function createEmulatorServer(services: Services): Server {
  return createServer((req, res) => {
    handle(services, req, res).catch((error: unknown) => res.destroy(error as Error));
  });
}
