/**
 * The text fields of JSON schemas as Glint writes them everywhere: names, secrets, URLs and file
 * contents. The API's schemas and each site type's configuration schema (in its adapter folder)
 * share them, so a site type's fields are checked and worded as the rest of the API's.
 */
import { Type } from './typebox';

export { Type, type Static, type TSchema } from './typebox';

/**
 * Text without control characters (C0, DEL, C1): what a name must be. PostgreSQL cannot store NUL,
 * and the others only hide what a name really says in a list, a log or a terminal.
 */
export const printablePattern = '^[^\\u0000-\\u001F\\u007F-\\u009F]*$';

/** Text without NUL, which PostgreSQL cannot store; files keep their tabs and line breaks. */
export const noNulPattern = '^[^\\u0000]*$';

/** Printable ASCII without spaces: what AWS keys and tokens are made of, and HTTP headers carry. */
export const awsTokenPattern = '^[\\x21-\\x7E]+$';

/** A name or identifier as clouds and Keystone accept them. */
export const Name = (description?: string) =>
  Type.String({
    minLength: 1,
    maxLength: 255,
    pattern: printablePattern,
    ...(description ? { description } : {}),
  });

/** A password or other secret: write-only, never in a reply. */
export const Secret = (description: string, pattern?: string) =>
  Type.String({
    minLength: 1,
    maxLength: 4096,
    description,
    writeOnly: true,
    ...(pattern && { pattern }),
  });

export const Url = (description: string) =>
  Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048, description });

/** The text of an uploaded configuration file or certificate bundle. */
export const FileText = (description: string) =>
  Type.String({ minLength: 1, maxLength: 256 * 1024, pattern: noNulPattern, description });
