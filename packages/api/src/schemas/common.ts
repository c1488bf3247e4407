import { Type } from '@fastify/type-provider-typebox';
import { awsTokenPattern, noNulPattern, printablePattern } from '@glint/core';

export {
  awsTokenPattern,
  FileText,
  Name,
  noNulPattern,
  printablePattern,
  Secret,
  Url,
} from '@glint/core';

/** A printable name without "/", which joins an account's name to its regions' in site names. */
export const accountNamePattern = '^[^/\\u0000-\\u001F\\u007F-\\u009F]+$';

/** A slug, as rules are named: in URLs and files without quoting. */
export const slugPattern = '^[a-z0-9][a-z0-9-]{0,62}$';

/** What each text pattern (these and @glint/core's) asks for, in the words an error gives the client. */
export const patternProblems: Readonly<Record<string, string>> = {
  [printablePattern]: 'must not contain control characters (NUL, tab, line breaks and the like)',
  [noNulPattern]: 'must not contain NUL characters',
  [accountNamePattern]: 'must not contain "/" or control characters',
  [awsTokenPattern]: 'must be printable ASCII without spaces, as AWS issues it',
  [slugPattern]:
    'must be a slug: lower-case letters, digits and "-", starting with a letter or digit, at most 63 characters',
};

export const Timestamp = (description: string) => Type.String({ format: 'date-time', description });

/** A matrix cell's state, as the matrix and an image's details show it. */
export const CellState = (description: string) =>
  Type.Enum(
    ['present', 'missing', 'queued', 'transferring', 'deleting', 'error', 'conflict', 'unmanaged'],
    { description },
  );

export const Uuid = (description: string) => Type.String({ format: 'uuid', description });

/**
 * A number of bytes. Bounded so that it stays exact as a JavaScript number and fits PostgreSQL's
 * bigint: larger ones (1e20, 2^63) are a 400, never a failed query.
 */
export const ByteCount = (description: string) =>
  Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description });

/** The paging parameters of a listing, bounded like every number a query carries. */
export const PageQuery = {
  offset: Type.Integer({
    minimum: 0,
    maximum: 2_147_483_647,
    default: 0,
    description: 'How many entries to skip',
  }),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'How many to give' }),
};
