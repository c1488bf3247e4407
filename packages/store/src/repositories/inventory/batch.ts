import { storableText } from '../../storable-text';
import type { SiteImage } from './records';

// The images of one run as a row set, so each step is one statement whatever the site holds.
export const batch = (parameter: string) => `jsonb_to_recordset(${parameter}::jsonb) AS x(
  "cloudImageId" text, name text, "hashAlgo" text, "hashValue" text, checksum text, size bigint,
  "diskFormat" text, "containerFormat" text, visibility text, status text, protected boolean,
  "cloudOwner" text, "glintSourceSite" text, "glintSourceImage" text, "glintContentHash" text,
  properties jsonb, hidden boolean)`;

/**
 * The images as the batch's JSON. Clouds name images as they like: a name with a NUL (Glance takes
 * one) must not stop the site's inventory, so text PostgreSQL cannot hold is stored escaped.
 */
export function batchJson(images: SiteImage[]): string {
  return JSON.stringify(
    images.map(({ properties, ...image }) => ({
      ...Object.fromEntries(
        Object.entries(image).map(([field, value]) => [
          field,
          typeof value === 'string' ? storableText(value) : value,
        ]),
      ),
      properties: Object.fromEntries(
        Object.entries(properties ?? {}).map(([key, value]) => [
          storableText(key),
          storableText(value),
        ]),
      ),
    })),
  );
}
