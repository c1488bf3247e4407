/**
 * The rules that keep a delete from destroying what it must not, shared by the planner (when a
 * delete is asked for) and the delete worker (which checks again when it runs: the image may have
 * changed on the cloud in between).
 */

export type DeleteRefusalReason = 'protected' | 'public_not_owned' | 'last_copy';

export interface DeleteRefusal {
  reason: DeleteRefusalReason;
  message: string;
}

/** What the rules need to know of the copy to delete. */
export interface DeletableCopy {
  protected: boolean;
  visibility: string;
  /** The project that owns the image on its cloud. */
  cloudOwner: string | null;
}

export const LAST_COPY_REFUSAL: DeleteRefusal = {
  reason: 'last_copy',
  message: 'this is the last copy of the image anywhere; send force to delete it',
};

/**
 * Why the copy may not be deleted whatever is forced, if it may not: it is protected, or it is
 * public and another project (than `siteProjectId`, the site credential's) owns it.
 */
export function deleteRefusal(
  copy: DeletableCopy,
  siteProjectId: string | null,
): DeleteRefusal | undefined {
  if (copy.protected)
    return {
      reason: 'protected',
      message: 'the image is protected on this site; unprotect it there first',
    };
  if (copy.visibility === 'public' && (!siteProjectId || copy.cloudOwner !== siteProjectId))
    return {
      reason: 'public_not_owned',
      message: 'the image is public and belongs to another project',
    };
  return undefined;
}
