/** One image as a site holds it, in the inventory's columns. */
export interface SiteImage {
  cloudImageId: string;
  name: string;
  /** The content hash: the site's own multihash, else the one Glint's marker carries. */
  hashAlgo: string | null;
  hashValue: string | null;
  checksum: string | null;
  size: number | null;
  diskFormat: string | null;
  containerFormat: string | null;
  visibility: string;
  status: string;
  protected: boolean;
  cloudOwner: string | null;
  glintSourceSite: string | null;
  glintSourceImage: string | null;
  glintContentHash: string | null;
  /** Its other properties (Glance's extra properties, EC2's tags), for rules' image selectors. */
  properties?: Record<string, string>;
  /** Left out of the site's default listing (Glance's os_hidden): still there, and bootable by id. */
  hidden?: boolean;
}

/** Where a copy is and when the inventory (or the job that made it) last saw it. */
export interface SeenCopy {
  siteId: string;
  seenAt: Date;
}

export interface InventoryOutcome {
  seen: number;
  removed: number;
}
