import { randomBytes } from 'node:crypto';
import { CredentialCipher, type Keyring } from '../src/credential-cipher';

const owner = {
  ownerId: '7d0c4d4e-0000-4000-8000-000000000001',
  siteId: '7d0c4d4e-0000-4000-8000-000000000002',
};
const credential = { kind: 'password', username: 'demo', password: 'correct horse battery staple' };

function keyring(currentKeyId: string, ...ids: string[]): Keyring {
  return { currentKeyId, keys: new Map(ids.map((id) => [id, randomBytes(32)])) };
}

test('opens what it sealed, and the sealed form does not contain the secret', () => {
  const cipher = new CredentialCipher(keyring('a', 'a'));
  const sealed = cipher.seal(credential, owner);
  expect(sealed.keyId).toBe('a');
  expect(sealed.nonce).toHaveLength(12);
  expect(sealed.authTag).toHaveLength(16);
  expect(sealed.ciphertext.includes(Buffer.from(credential.password))).toBe(false);
  expect(cipher.open(sealed, owner)).toEqual(credential);
});

test('every sealing uses a fresh nonce', () => {
  const cipher = new CredentialCipher(keyring('a', 'a'));
  const first = cipher.seal(credential, owner);
  const second = cipher.seal(credential, owner);
  expect(first.nonce.equals(second.nonce)).toBe(false);
  expect(first.ciphertext.equals(second.ciphertext)).toBe(false);
});

test("a credential moved to another site's or user's row does not open", () => {
  const cipher = new CredentialCipher(keyring('a', 'a'));
  const sealed = cipher.seal(credential, owner);
  expect(() => cipher.open(sealed, { ...owner, siteId: 'another-site' })).toThrow(
    /does not decrypt/,
  );
  expect(() => cipher.open(sealed, { ...owner, ownerId: 'another-user' })).toThrow(
    /does not decrypt/,
  );
});

test('an altered ciphertext does not open', () => {
  const cipher = new CredentialCipher(keyring('a', 'a'));
  const sealed = cipher.seal(credential, owner);
  sealed.ciphertext[0]! ^= 1;
  expect(() => cipher.open(sealed, owner)).toThrow(/does not decrypt under key "a"/);
});

test('after a key rotation, old rows still open and new ones use the new key', () => {
  const old = keyring('2024', '2024');
  const sealedBefore = new CredentialCipher(old).seal(credential, owner);
  const rotated: Keyring = {
    currentKeyId: '2025',
    keys: new Map([...old.keys, ['2025', randomBytes(32)]]),
  };
  const cipher = new CredentialCipher(rotated);
  expect(cipher.open(sealedBefore, owner)).toEqual(credential);
  expect(cipher.seal(credential, owner).keyId).toBe('2025');
});

test('a row under a key no longer configured says which key is missing', () => {
  const sealed = new CredentialCipher(keyring('2024', '2024')).seal(credential, owner);
  expect(() => new CredentialCipher(keyring('2025', '2025')).open(sealed, owner)).toThrow(
    /key "2024" is not in GLINT_CREDENTIAL_KEYS/,
  );
});
