import { CredentialCipher, type CredentialOwner, type Keyring } from './credential-cipher';
import type { CredentialsRepository } from './repositories/credentials';

/** What the vault needs of the repositories: the credentials table, in or out of a transaction. */
export interface HoldsCredentials {
  credentials: CredentialsRepository;
}

/** A stored credential, opened only when asked. */
export interface VaultEntry {
  /** Changes whenever the credential is stored again: each sealing takes a fresh nonce. */
  version: string;
  open(): unknown;
}

/**
 * The one way credentials go into the store and come out of it: sealed under the keyring's
 * current key, bound to their owner and site, and stored with who logs in (never a secret) beside
 * them for display.
 */
export class CredentialVault {
  private readonly cipher: CredentialCipher;

  constructor(keyring: Keyring) {
    this.cipher = new CredentialCipher(keyring);
  }

  /** Replaces the owner's credential for the site; a live login has just accepted it. */
  async store(
    repositories: HoldsCredentials,
    owner: CredentialOwner,
    credential: { kind: string },
    principal: Record<string, unknown>,
  ): Promise<void> {
    await repositories.credentials.store(owner.ownerId, owner.siteId, {
      kind: credential.kind,
      principal,
      sealed: this.cipher.seal(credential, owner),
    });
  }

  /** The owner's credential for the site, or undefined when it has none. */
  async find(
    repositories: HoldsCredentials,
    owner: CredentialOwner,
  ): Promise<VaultEntry | undefined> {
    const sealed = await repositories.credentials.sealed(owner.ownerId, owner.siteId);
    if (!sealed) return undefined;
    return {
      version: `${sealed.keyId}/${sealed.nonce.toString('hex')}`,
      // Bound to the owner it was sealed for: the project, or for a row stored before projects
      // owned sites, the user who owned it then (credentials.sealed_for).
      open: () => this.cipher.open(sealed, { ownerId: sealed.sealedFor, siteId: owner.siteId }),
    };
  }
}
