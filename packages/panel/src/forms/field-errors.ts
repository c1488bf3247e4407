/**
 * An API error reply as errors of a form's fields, so each shows next to the field it concerns.
 * Schema complaints (`invalid_request`) name their field in `details[].where`; other codes say by
 * which code they are, mapped per form (a login refused concerns the password field of one form, the
 * secret of another).
 */
import { ApiError } from '@glint/core/client';

/** Messages by field name; the key '' holds what concerns the form as a whole. */
export type FieldErrors = Record<string, string>;

/** The field each error code concerns, or how to tell from the error. */
export type CodeFields = Record<string, string | ((error: ApiError) => string)>;

interface SchemaProblem {
  where: string;
  problem: string;
}

/**
 * The field a schema complaint concerns: the missing property, or the last part of its path that is
 * a field of the form (`body/regions/1` concerns `regions`), else none.
 */
function fieldOf({ where, problem }: SchemaProblem, fields: readonly string[]): string {
  const missing = /required property '([^']+)'/.exec(problem);
  if (missing) return missing[1]!;
  return (
    where
      .split('/')
      .reverse()
      .find((part) => fields.includes(part)) ?? ''
  );
}

function add(errors: FieldErrors, field: string, message: string) {
  errors[field] = errors[field] ? `${errors[field]}; ${message}` : message;
}

export function fieldErrors(
  error: unknown,
  fields: readonly string[],
  codeFields: CodeFields,
): FieldErrors {
  if (!(error instanceof ApiError)) return { '': String(error) };
  const errors: FieldErrors = {};
  if (error.code === 'invalid_request' && Array.isArray(error.details)) {
    for (const problem of error.details as SchemaProblem[]) {
      const field = fieldOf(problem, fields);
      if (fields.includes(field)) add(errors, field, problem.problem);
      else add(errors, '', `${problem.where} ${problem.problem}`);
    }
    return errors;
  }
  const mapped = codeFields[error.code];
  const field = typeof mapped === 'function' ? mapped(error) : mapped;
  add(errors, field !== undefined && fields.includes(field) ? field : '', error.message);
  return errors;
}
