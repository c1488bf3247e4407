/** An authenticated user as requests carry them. */
export interface Caller {
  /** Glint's id for the user (users.id), which owns their objects. */
  userId: string;
  keystoneUserId: string;
  name: string;
  domain: string;
  project: { id: string; name: string } | null;
  isAdmin: boolean;
  /** When the session or the Keystone token this caller came with ends (ISO 8601). */
  expiresAt: string;
}
