/** An error the emulator answers with, in the code, text and HTTP status AWS uses for it. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = statusFor(code),
  ) {
    super(message);
  }
}

function statusFor(code: string): number {
  if (code === 'AuthFailure' || code === 'OptInRequired') return 401;
  if (code === 'SignatureDoesNotMatch' || code === 'InvalidClientTokenId') return 403;
  if (code === 'UnauthorizedOperation' || code === 'AccessDenied') return 403;
  if (code === 'RequestLimitExceeded' || code === 'Unavailable') return 503;
  if (code === 'InternalError' || code === 'InternalFailure') return 500;
  if (code === 'ServiceUnavailable') return 503;
  return 400;
}
