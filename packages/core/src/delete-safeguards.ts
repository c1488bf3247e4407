/**
 * The rules that keep a delete from destroying what it must not, shared by the planner (when a
 * delete is asked for) and the delete worker (which checks again when it runs: the image may have
 * changed on the cloud in between).
 */

export type DeleteRefusalReason =
  'protected' | 'public_not_owned' | 'hidden_not_placed' | 'last_copy';

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
  /** Left out of the site's listings (Glance's os_hidden). */
  hidden?: boolean;
  /** Carries Glint's markers: Glint made it. */
  managed?: boolean;
}

export const LAST_COPY_REFUSAL: DeleteRefusal = {
  reason: 'last_copy',
  message: 'this is the last copy of the image anywhere; send force to delete it',
};

/**
 * Why the copy may not be deleted whatever is forced, if it may not: it is protected, it is public
 * and another project (than `siteProjectId`, the site credential's) owns it, or someone else hid
 * it: a hidden image Glint did not make is kept on purpose (an older release VMs still boot by id,
 * as image managers leave them), and Glint only sees it because inventories list hidden images.
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
  if (copy.hidden && !copy.managed)
    return {
      reason: 'hidden_not_placed',
      message:
        'the image is hidden on this site (os_hidden) and Glint did not make it; unhide it there first if it may go',
    };
  return undefined;
}
