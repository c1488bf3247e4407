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
 * copied onto another owner's or site's row fails to open instead of lending its secret there.
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

/**
 * The keyring from `id:base64key` pairs separated by commas. Every key is 32 bytes (AES-256); old
 * keys stay listed so that rows written under them can still be read.
 */
export function parseKeyring(keysText: string, currentKeyId: string): Keyring {
  const keys = new Map<string, Buffer>();
  for (const entry of keysText
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const separator = entry.indexOf(':');
    const id = entry.slice(0, separator).trim();
    if (separator <= 0 || !/^[\w.-]{1,64}$/.test(id)) {
      throw new Error(
        'GLINT_CREDENTIAL_KEYS must be a comma-separated list of id:base64key entries, ids of letters, digits, ".", "_" or "-"',
      );
    }
    const key = Buffer.from(entry.slice(separator + 1).trim(), 'base64');
    if (key.length !== 32) {
      throw new Error(
        `GLINT_CREDENTIAL_KEYS: key "${id}" is ${key.length} bytes, not 32; make one with: openssl rand -base64 32`,
      );
    }
    if (keys.has(id)) throw new Error(`GLINT_CREDENTIAL_KEYS lists key "${id}" twice`);
    keys.set(id, key);
  }
  if (!keys.has(currentKeyId)) {
    throw new Error(
      `GLINT_CREDENTIAL_KEY_ID is "${currentKeyId}", which GLINT_CREDENTIAL_KEYS does not list`,
    );
  }
  return { currentKeyId, keys };
}
