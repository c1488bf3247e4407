import type { SealedCredential } from '../credential-cipher';
import type { Queryable } from './queryable';

export interface StoredCredential {
  kind: string;
  /** Who logs in, without the secret. */
  principal: Record<string, unknown>;
  sealed: SealedCredential;
}

/** A stored credential's ciphertext, and the owner id bound into it (see credentials.sealed_for). */
export interface StoredSealedCredential extends SealedCredential {
  sealedFor: string;
}

export function credentialsRepository(db: Queryable) {
  return {
    async sealed(ownerId: string, siteId: string): Promise<StoredSealedCredential | undefined> {
      const { rows } = await db.query<StoredSealedCredential>(
        `SELECT key_id AS "keyId", nonce, ciphertext, auth_tag AS "authTag", sealed_for AS "sealedFor"
         FROM credentials WHERE owner_id = $1 AND site_id = $2`,
        [ownerId, siteId],
      );
      return rows[0];
    },

    /**
     * Stores the owner's credential for the site, replacing any earlier one; a live login has just
     * accepted it. It must be sealed for the owner.
     */
    async store(ownerId: string, siteId: string, credential: StoredCredential): Promise<void> {
      const { keyId, nonce, ciphertext, authTag } = credential.sealed;
      await db.query(
        `INSERT INTO credentials (owner_id, site_id, kind, principal, key_id, nonce, ciphertext, auth_tag, validated_at, sealed_for)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), $1)
         ON CONFLICT (site_id, owner_id) DO UPDATE SET
           sealed_for = EXCLUDED.sealed_for, kind = EXCLUDED.kind, principal = EXCLUDED.principal, key_id = EXCLUDED.key_id, nonce = EXCLUDED.nonce,
           ciphertext = EXCLUDED.ciphertext, auth_tag = EXCLUDED.auth_tag, validated_at = now(), updated_at = now()`,
        [ownerId, siteId, credential.kind, credential.principal, keyId, nonce, ciphertext, authTag],
      );
    },

    /** Notes that a live login just accepted the stored credential. */
    async markValidated(ownerId: string, siteId: string): Promise<void> {
      await db.query(
        'UPDATE credentials SET validated_at = now() WHERE owner_id = $1 AND site_id = $2',
        [ownerId, siteId],
      );
    },
  };
}

export type CredentialsRepository = ReturnType<typeof credentialsRepository>;
