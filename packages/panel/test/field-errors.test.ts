import { ApiError } from '@glint/core/client';
import { fieldErrors } from '../src/forms/field-errors';

const fields = ['name', 'openrc', 'password'];
const codes = { invalid_site_file: 'openrc', site_login_rejected: 'password' };

test('a code mapped to a field puts its message there', () => {
  const error = new ApiError(400, 'invalid_site_file', 'openrc line 3: not an assignment', {
    file: 'openrc',
    line: 3,
  });
  expect(fieldErrors(error, fields, codes)).toEqual({
    openrc: 'openrc line 3: not an assignment',
  });
});

test('schema complaints go to the field their path or missing property names; others to the form', () => {
  const error = new ApiError(400, 'invalid_request', '…', [
    { where: 'body/name', problem: 'must NOT have fewer than 1 characters' },
    { where: 'body', problem: "must have required property 'password'" },
    { where: 'body/config/authUrl', problem: 'must match format "uri"' },
    { where: 'body/openrc/0', problem: 'must match pattern "^[a-z]+$"' },
  ]);
  expect(fieldErrors(error, fields, codes)).toEqual({
    name: 'must NOT have fewer than 1 characters',
    openrc: 'must match pattern "^[a-z]+$"',
    password: "must have required property 'password'",
    '': 'body/config/authUrl must match format "uri"',
  });
});

test('unmapped codes, codes mapped to a field the form lacks, and other failures concern the form', () => {
  expect(fieldErrors(new ApiError(502, 'site_login_failed', 'down'), fields, codes)).toEqual({
    '': 'down',
  });
  expect(fieldErrors(new ApiError(422, 'site_login_rejected', 'no'), ['name'], codes)).toEqual({
    '': 'no',
  });
  expect(fieldErrors(new TypeError('boom'), fields, codes)).toEqual({ '': 'TypeError: boom' });
});
