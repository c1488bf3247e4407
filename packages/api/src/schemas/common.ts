import { Type } from '@fastify/type-provider-typebox';

/** A name or identifier as clouds and Keystone accept them. */
export const Name = (description?: string) =>
  Type.String({ minLength: 1, maxLength: 255, ...(description ? { description } : {}) });

/** A password or other secret: write-only, never in a reply. */
export const Secret = (description: string) =>
  Type.String({ minLength: 1, maxLength: 4096, description, writeOnly: true });

export const Url = (description: string) =>
  Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048, description });

/** The text of an uploaded configuration file or certificate bundle. */
export const FileText = (description: string) =>
  Type.String({ minLength: 1, maxLength: 256 * 1024, description });

export const Timestamp = (description: string) => Type.String({ format: 'date-time', description });

export const Uuid = (description: string) => Type.String({ format: 'uuid', description });
