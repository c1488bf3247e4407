/**
 * The image properties of the Sovereign Cloud Stack image metadata standard (SCS-0102 v2) that
 * Glint sets on a release's images, under the standard's own keys, all as strings as Glance keeps
 * them. The first three describe one build; the rest are the family's and apply to all its versions.
 */
export interface ScsImageProperties {
  /** When the image was built, ISO 8601 date or date-time (`2026-11-01`). */
  image_build_date?: string;
  /** The user the image's cloud-init creates (`ubuntu`, `debian`). */
  image_original_user?: string;
  /** Where the image came from: a URL, or `private`. */
  image_source?: string;
  /** How often a new version replaces it: `yearly` … `daily`, `critical_bug`, `never`. Mandatory. */
  replace_frequency?: string;
  /** Until when it is provided (`2027-04-30`), or `none`. Mandatory. */
  provided_until?: string;
  /** How long an image's id stays valid: `none`, `last-N`, a date, `notice`, `forever`. Mandatory. */
  uuid_validity?: string;
  /** Hours within which a critical fix is published; `0` for none. */
  hotfix_hours?: string;
}

/** The SCS-0102 keys in the standard's order. */
export const SCS_PROPERTY_KEYS = [
  'image_build_date',
  'image_original_user',
  'image_source',
  'replace_frequency',
  'provided_until',
  'uuid_validity',
  'hotfix_hours',
] as const satisfies readonly (keyof ScsImageProperties)[];

/** The properties SCS-0102 v2 requires of every public image. */
export const SCS_MANDATORY_KEYS = [
  'replace_frequency',
  'provided_until',
  'uuid_validity',
] as const satisfies readonly (keyof ScsImageProperties)[];
