import {
  AuthenticationError,
  CancelledError,
  ConflictError,
  ERROR_CLASSES,
  errorClassOf,
  IntegrityError,
  InvalidRequestError,
  NoImageServiceError,
  NotFoundError,
  PermissionError,
  QuotaError,
  TransientError,
  UnreachableError,
} from '../src';

test.each([
  [new AuthenticationError('wrong password'), 'auth'],
  [new PermissionError('not allowed'), 'auth'],
  [new NotFoundError('no such image'), 'not_found'],
  [new TransientError('503'), 'transient'],
  [new UnreachableError('connection refused'), 'transient'],
  [new IntegrityError('sha512 mismatch'), 'integrity'],
  [new QuotaError('over quota'), 'quota'],
  [new ConflictError('not queued'), 'other'],
  [new InvalidRequestError('bad property'), 'other'],
  [new NoImageServiceError('no glance'), 'other'],
])('%s counts as %s', (error, expected) => {
  expect(errorClassOf(error)).toBe(expected);
  expect(ERROR_CLASSES).toContain(expected);
});

test('a cancel, and errors that are not a cloud’s, have no class: they are not the site’s', () => {
  expect(errorClassOf(new CancelledError('stopped'))).toBeNull();
  expect(errorClassOf(new Error('ECONNREFUSED 127.0.0.1:5432'))).toBeNull();
  expect(errorClassOf('a string')).toBeNull();
});
