/** STS on the same endpoint: GetCallerIdentity (the account id names the staging bucket), AssumeRole. */
import { randomBytes } from 'node:crypto';
import type { Action } from '../context';
import { ApiError } from '../errors';

const roleArnPattern = /^arn:aws:iam::(\d{12}):role\/([\w+=,.@/-]+)$/;

export const getCallerIdentity: Action = ({ caller }) => {
  const accountId = caller.account.accountId;
  if (caller.session) {
    const { roleName, sessionName } = caller.session;
    return {
      Arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
      UserId: `AROA${accountId}:${sessionName}`,
      Account: accountId,
    };
  }
  return {
    Arn: `arn:aws:iam::${accountId}:user/glint`,
    UserId: `AIDA${accountId}`,
    Account: accountId,
  };
};

export const assumeRole: Action = ({ state, caller, params }) => {
  const roleArn = params.require('RoleArn');
  const sessionName = params.require('RoleSessionName');
  const duration = params.int('DurationSeconds') ?? 3600;
  const match = roleArnPattern.exec(roleArn);
  const target = match ? state.account(match[1]!) : undefined;
  const roleName = match?.[2];
  if (!target || !roleName || !target.roles.includes(roleName)) {
    throw new ApiError(
      'AccessDenied',
      `User: arn:aws:iam::${caller.account.accountId}:user/glint is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    );
  }
  if (duration < 900 || duration > 43200) {
    throw new ApiError(
      'ValidationError',
      `1 validation error detected: Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`,
    );
  }
  const session = {
    accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: randomBytes(48).toString('base64'),
    accountId: target.accountId,
    roleName,
    sessionName,
    expiration: new Date(Date.now() + duration * 1000),
  };
  state.sessions.set(session.accessKeyId, session);
  return {
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: session.expiration.toISOString(),
    },
    AssumedRoleUser: {
      AssumedRoleId: `AROA${target.accountId}:${sessionName}`,
      Arn: `arn:aws:sts::${target.accountId}:assumed-role/${roleName}/${sessionName}`,
    },
  };
};
