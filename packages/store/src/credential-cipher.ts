import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Credential keys: the one new rows are sealed with, and every key older rows may still be under. */
export interface Keyring {
  currentKeyId: string;
  keys: ReadonlyMap<string, Buffer>;
}

/** An encrypted credential as stored: AES-256-GCM under the key `keyId` names. */
export interface SealedCredential {
  keyId: string;
  nonce: Buffer;
  ciphertext: Buffer;
  authTag: Buffer;
}

/**
 * Where a sealed credential belongs. It is bound into the ciphertext as associated data, so a row
 * copied onto another user's or site's row fails to open instead of lending its secret there.
 */
export interface CredentialOwner {
  ownerId: string;
  siteId: string;
}

const algorithm = 'aes-256-gcm';

function associatedData(owner: CredentialOwner): Buffer {
  return Buffer.from(`glint credential v1\0${owner.ownerId}\0${owner.siteId}`);
}

/** Seals credentials under the keyring's current key and opens them under whichever key they name. */
export class CredentialCipher {
  constructor(private readonly keyring: Keyring) {}

  seal(credential: object, owner: CredentialOwner): SealedCredential {
    const { currentKeyId } = this.keyring;
    const nonce = randomBytes(12);
    const cipher = createCipheriv(algorithm, this.key(currentKeyId), nonce).setAAD(
      associatedData(owner),
    );
    const ciphertext = Buffer.concat([
      cipher.update(JSON.stringify(credential), 'utf8'),
      cipher.final(),
    ]);
    return { keyId: currentKeyId, nonce, ciphertext, authTag: cipher.getAuthTag() };
  }

  open(sealed: SealedCredential, owner: CredentialOwner): unknown {
    const decipher = createDecipheriv(algorithm, this.key(sealed.keyId), sealed.nonce)
      .setAAD(associatedData(owner))
      .setAuthTag(sealed.authTag);
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
    } catch {
      throw new Error(
        `the credential of site ${owner.siteId} does not decrypt under key "${sealed.keyId}": the key was changed, or the row was altered`,
      );
    }
    return JSON.parse(plaintext.toString('utf8'));
  }

  private key(keyId: string): Buffer {
    const key = this.keyring.keys.get(keyId);
    if (!key) {
      throw new Error(
        `credential key "${keyId}" is not in GLINT_CREDENTIAL_KEYS: keep retired keys listed until no row uses them`,
      );
    }
    return key;
  }
}
