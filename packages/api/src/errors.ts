import { STATUS_CODES } from 'node:http';
import type { FastifyError } from 'fastify';
import type { ErrorReply } from './schemas/errors';

/** A failure the client can act on: its status, a stable code, and a message saying what to do. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function notFound(what: string, id: string): ApiError {
  return new ApiError(
    404,
    `${what}_not_found`,
    `there is no ${what.replace(/_/g, ' ')} ${id}, or it is not yours`,
  );
}

const csrfMessage =
  "this request needs the session's CSRF token in the X-CSRF-Token header: it comes with POST /api/v1/auth/login and GET /api/v1/auth/csrf";

/** Fastify's and its plugins' own errors, by their codes, as ours. */
const frameworkErrors: Record<string, { code: string; message?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    code: 'malformed_json',
    message: 'the request body is not valid JSON',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'malformed_json',
    message: 'the request body is empty but its content type says JSON',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload_too_large' },
  FST_REQ_FILE_TOO_LARGE: {
    code: 'payload_too_large',
    message: 'an uploaded file is larger than the API accepts',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported_media_type' },
  FST_CSRF_MISSING_SECRET: { code: 'csrf_token_invalid', message: csrfMessage },
  FST_CSRF_INVALID_TOKEN: { code: 'csrf_token_invalid', message: csrfMessage },
};

/** `Payload Too Large` → `payload_too_large`: a code for an error that brings none of its own. */
function codeForStatus(status: number): string {
  return (STATUS_CODES[status] ?? 'error').toLowerCase().replace(/[^a-z0-9]+/g, '_');
}

/**
 * The status and body for any error a request ends with. Only messages written for clients are
 * passed on; anything unexpected becomes a 500 whose message says no more than where it is logged.
 */
export function errorReply(
  error: FastifyError | ApiError | Error,
  requestId: string,
): { status: number; body: ErrorReply } {
  if (error instanceof ApiError) {
    return {
      status: error.statusCode,
      body: {
        error: error.code,
        message: error.message,
        ...(error.details === undefined ? {} : { details: error.details }),
      },
    };
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const where = fastifyError.validationContext ?? 'request';
    const issues = fastifyError.validation.map((issue) => {
      // Ajv's text for an unknown field does not say which field it is.
      const unknown = (issue.params as { additionalProperty?: string } | undefined)
        ?.additionalProperty;
      return {
        keyword: issue.keyword,
        where: `${where}${issue.instancePath}`,
        problem: unknown
          ? `has the unknown field "${unknown}"; remove it`
          : (issue.message ?? 'is invalid'),
      };
    });
    // "must match a schema in anyOf" only repeats that the alternatives' own complaints apply.
    const telling = issues.some((issue) => issue.keyword !== 'anyOf')
      ? issues.filter((issue) => issue.keyword !== 'anyOf')
      : issues;
    const details = telling.map(({ where, problem }) => ({ where, problem }));
    return {
      status: 400,
      body: {
        error: 'invalid_request',
        message: details.map(({ where, problem }) => `${where} ${problem}`).join('; '),
        details,
      },
    };
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    const known = fastifyError.code ? frameworkErrors[fastifyError.code] : undefined;
    return {
      status,
      body: {
        error: known?.code ?? codeForStatus(status),
        message: known?.message ?? fastifyError.message,
      },
    };
  }
  return {
    status: 500,
    body: {
      error: 'internal_error',
      message: `Glint failed to handle the request; the cause is logged under request id ${requestId}`,
      details: { requestId },
    },
  };
}
