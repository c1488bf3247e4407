import type { FastifyError } from 'fastify';
import { ApiError, errorReply } from '../src/errors';

function fastifyError(properties: Partial<FastifyError>): FastifyError {
  return Object.assign(new Error(properties.message ?? 'failed'), properties) as FastifyError;
}

test('an ApiError is passed on as it is', () => {
  expect(
    errorReply(new ApiError(409, 'site_name_taken', 'choose another name', { name: 'x' }), 'req-1'),
  ).toEqual({
    status: 409,
    body: { error: 'site_name_taken', message: 'choose another name', details: { name: 'x' } },
  });
});

test("fastify's own errors get stable codes and their own messages", () => {
  expect(
    errorReply(fastifyError({ code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 }), 'r'),
  ).toEqual({
    status: 400,
    body: { error: 'malformed_json', message: 'the request body is not valid JSON' },
  });
  expect(
    errorReply(
      fastifyError({
        code: 'FST_ERR_SOMETHING_NEW',
        statusCode: 405,
        message: 'Method not allowed',
      }),
      'r',
    ),
  ).toEqual({
    status: 405,
    body: { error: 'method_not_allowed', message: 'Method not allowed' },
  });
});

test('validation errors say where, leaving out the summary of a union', () => {
  const error = fastifyError({
    validationContext: 'body',
    validation: [
      {
        keyword: 'required',
        instancePath: '',
        schemaPath: '',
        params: {},
        message: "must have required property 'password'",
      },
      {
        keyword: 'anyOf',
        instancePath: '',
        schemaPath: '',
        params: {},
        message: 'must match a schema in anyOf',
      },
    ],
  });
  expect(errorReply(error, 'r')).toEqual({
    status: 400,
    body: {
      error: 'invalid_request',
      message: "body must have required property 'password'",
      details: [{ where: 'body', problem: "must have required property 'password'" }],
    },
  });
});

test('anything unexpected is a 500 that tells only where it is logged', () => {
  const reply = errorReply(
    new Error('connect ECONNREFUSED postgres://glint:s3cret@db/glint'),
    'req-42',
  );
  expect(reply.status).toBe(500);
  expect(reply.body).toEqual({
    error: 'internal_error',
    message: expect.stringContaining('req-42'),
    details: { requestId: 'req-42' },
  });
  expect(JSON.stringify(reply.body)).not.toContain('s3cret');
});
