/**
 * SSM Parameter Store, as much as Glint uses: PutParameter (Overwrite), GetParameter,
 * GetParametersByPath and DeleteParameter, plain `String` parameters of one account in one region.
 * SSM speaks JSON 1.1: the request body is JSON, the action comes in X-Amz-Target, and errors are
 * `{"__type": code, "message": text}` (server.ts).
 */
import { ApiError } from '../errors';
import type { Caller } from '../context';
import type { Ec2State, Parameter } from '../state';

export interface JsonContext {
  state: Ec2State;
  caller: Caller;
  region: string;
  body: Record<string, unknown>;
  now: number;
}

export type JsonAction = (context: JsonContext) => Record<string, unknown>;

const namePattern = /^[a-zA-Z0-9_.\-/]+$/;
const MAX_NAME = 1011;
const MAX_LEVELS = 15;
const MAX_VALUE = 4096;
const types = ['String', 'StringList', 'SecureString'];

function text(body: Record<string, unknown>, field: string, required = true): string | undefined {
  const value = body[field];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value === '')
    throw new ApiError(
      'ValidationException',
      `1 validation error detected: Value at '${field[0]!.toLowerCase()}${field.slice(1)}' failed to satisfy constraint: Member must not be null`,
    );
  return value;
}

/** SSM's rules for names: its characters, hierarchy depth, and the reserved `aws` and `ssm` prefixes. */
function checkName(name: string): void {
  const invalid = (why: string) => new ApiError('ValidationException', `Parameter name: ${why}`);
  if (name.length > MAX_NAME || !namePattern.test(name))
    throw invalid(`can't be longer than 1011 characters and may contain only a-zA-Z0-9_.-/`);
  if (name.includes('//') || (name.includes('/') && !name.startsWith('/')))
    throw invalid('a hierarchical name must be fully qualified, starting with "/"');
  if (/^\/?(aws|ssm)/i.test(name))
    throw invalid(`can't be prefixed with "aws" or "ssm" (case-insensitive).`);
  if (name.split('/').length - 1 > MAX_LEVELS)
    throw new ApiError(
      'HierarchyLevelLimitExceededException',
      `A hierarchy can have a maximum of 15 levels.`,
    );
}

const key = ({ caller, region }: JsonContext, name: string) =>
  `${caller.account.accountId}|${region}|${name}`;

function parameterJson(context: JsonContext, parameter: Parameter) {
  const arnName = parameter.name.startsWith('/') ? parameter.name : `/${parameter.name}`;
  return {
    Name: parameter.name,
    Type: parameter.type,
    Value: parameter.value,
    Version: parameter.version,
    LastModifiedDate: parameter.lastModified / 1000,
    ARN: `arn:aws:ssm:${context.region}:${context.caller.account.accountId}:parameter${arnName}`,
    DataType: parameter.dataType,
  };
}

function found(context: JsonContext, name: string): Parameter {
  const parameter = context.state.parameters.get(key(context, name));
  if (!parameter) throw new ApiError('ParameterNotFound', `Parameter ${name} not found.`);
  return parameter;
}

export const putParameter: JsonAction = (context) => {
  const { body, state } = context;
  const name = text(body, 'Name')!;
  checkName(name);
  const value = text(body, 'Value')!;
  if (value.length > MAX_VALUE)
    throw new ApiError(
      'ValidationException',
      'Standard tier parameters support a maximum parameter value of 4096 characters.',
    );
  const overwrite = body.Overwrite === true;
  if (overwrite && Array.isArray(body.Tags) && body.Tags.length > 0)
    throw new ApiError(
      'ValidationException',
      "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
    );
  const existing = state.parameters.get(key(context, name));
  if (existing && !overwrite)
    throw new ApiError(
      'ParameterAlreadyExists',
      'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
    );
  const type = text(body, 'Type', existing === undefined) ?? existing!.type;
  if (!types.includes(type))
    throw new ApiError(
      'ValidationException',
      `1 validation error detected: Value '${type}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]`,
    );
  const parameter: Parameter = {
    name,
    value,
    type: type as Parameter['type'],
    dataType: text(body, 'DataType', false) ?? existing?.dataType ?? 'text',
    version: (existing?.version ?? 0) + 1,
    lastModified: context.now,
    description: text(body, 'Description', false) ?? existing?.description,
  };
  state.parameters.set(key(context, name), parameter);
  return { Version: parameter.version, Tier: 'Standard' };
};

export const getParameter: JsonAction = (context) => {
  const name = text(context.body, 'Name')!;
  return { Parameter: parameterJson(context, found(context, name)) };
};

export const deleteParameter: JsonAction = (context) => {
  const name = text(context.body, 'Name')!;
  found(context, name);
  context.state.parameters.delete(key(context, name));
  return {};
};

/** A page of at most MaxResults (1–10, default 10); the token is the offset, opaque to callers. */
export const getParametersByPath: JsonAction = (context) => {
  const { body, state } = context;
  const path = text(body, 'Path')!;
  if (!path.startsWith('/'))
    throw new ApiError(
      'ValidationException',
      'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/".',
    );
  const max = typeof body.MaxResults === 'number' ? body.MaxResults : 10;
  if (max < 1 || max > 10)
    throw new ApiError(
      'ValidationException',
      `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10`,
    );
  const prefix = path.endsWith('/') ? path : `${path}/`;
  const recursive = body.Recursive === true;
  const under = [...state.parameters.entries()]
    .filter(([k]) => k.startsWith(key(context, prefix)))
    .map(([, parameter]) => parameter)
    .filter((parameter) => recursive || !parameter.name.slice(prefix.length).includes('/'))
    .sort((a, b) => a.name.localeCompare(b.name));
  const start = typeof body.NextToken === 'string' ? Number(body.NextToken) : 0;
  if (!Number.isInteger(start) || start < 0 || start > under.length)
    throw new ApiError('ValidationException', 'The specified token is not valid.');
  const page = under.slice(start, start + max);
  const next = start + max < under.length ? String(start + max) : undefined;
  return {
    Parameters: page.map((parameter) => parameterJson(context, parameter)),
    ...(next ? { NextToken: next } : {}),
  };
};
