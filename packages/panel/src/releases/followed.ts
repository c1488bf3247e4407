import type { FamilyDetails, ReleaseVersion } from '@glint/api/replies';

/** The version the stable name follows: the one its channel (else latest) points at. */
export function followed(details: FamilyDetails): ReleaseVersion | null {
  const channel =
    details.channels.find((c) => c.name === details.family.follows) ??
    details.channels.find((c) => c.name === 'latest');
  return details.versions.find((v) => v.id === channel?.versionId) ?? null;
}
