import type { OpenStackCredential } from '@glint/core';
import {
  createSiteAgent,
  isCloudError,
  KeystoneSession,
  type ParsedSiteFile,
} from '@glint/cloud-adapters';
import { CliError } from './errors';
import { readCaBundle } from './openstack-config';
import { secretOr } from './prompt';

export interface KeystoneLogin {
  authUrl: string;
  token: string;
  expiresAt: string;
}

/** The credential with its secret, asked for on the terminal when the file or environment lacks it. */
export async function completeCredential(
  parsed: ParsedSiteFile,
  fromStdin: boolean,
  source: string,
): Promise<OpenStackCredential> {
  const credential = parsed.credential;
  if (credential.kind === 'password') {
    const password =
      credential.password ??
      (await secretOr(
        fromStdin,
        `Password for ${credential.username ?? credential.userId} at ${parsed.config.authUrl}: `,
        `${source} gives no password and stdin is not a terminal to ask for one: set OS_PASSWORD or pipe it with --password-stdin`,
      ));
    return { ...credential, password };
  }
  const secret =
    credential.secret ??
    (await secretOr(
      fromStdin,
      `Application credential secret for ${credential.id ?? credential.name}: `,
      `${source} gives no application credential secret and stdin is not a terminal to ask for it: set OS_APPLICATION_CREDENTIAL_SECRET`,
    ));
  return { ...credential, secret };
}

/** A project-scoped token from the site's Keystone, through the same login code the adapter uses. */
export async function keystoneLogin(
  parsed: ParsedSiteFile,
  credential: OpenStackCredential,
): Promise<KeystoneLogin> {
  const caBundle = await readCaBundle(parsed);
  const config = { ...parsed.config, ...(caBundle ? { caBundle } : {}) };
  // The CLI acts for its own user, from that user's machine: no outbound policy applies.
  const dispatcher = createSiteAgent(config, null);
  const session = new KeystoneSession(config, credential, { dispatcher });
  try {
    const token = await session.current();
    return { authUrl: session.authUrl, token: token.value, expiresAt: token.expiresAt };
  } catch (error) {
    if (isCloudError(error)) throw new CliError(`Keystone login failed: ${error.message}`);
    throw error;
  } finally {
    await dispatcher.close();
  }
}
