import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CliError } from './errors';

/** What `glint login` keeps: which API, and the Keystone token to show it. */
export interface Session {
  apiUrl: string;
  token: string;
  /** ISO 8601, the Keystone token's expiry. */
  expiresAt: string;
  user: { name: string; domain: string; project: string | null };
  /** The Keystone the token came from. */
  authUrl: string;
}

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.GLINT_CONFIG_DIR ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'glint');
}

export function sessionFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'session.json');
}

/** Writes the session readable by its owner only: the token is as good as the password for its life. */
export async function saveSession(session: Session, env = process.env): Promise<string> {
  const dir = configDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const file = sessionFile(env);
  // Removed first so an existing file with looser permissions is not reused.
  await rm(file, { force: true });
  await writeFile(file, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return file;
}

export async function loadSession(env = process.env): Promise<Session | undefined> {
  try {
    return JSON.parse(await readFile(sessionFile(env), 'utf8')) as Session;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(
      `the session file ${sessionFile(env)} is unreadable (${(error as Error).message}): run glint login again`,
    );
  }
}

/** The stored session if it is still valid, else an error saying to log in. */
export async function currentSession(env = process.env, now = Date.now()): Promise<Session> {
  const session = await loadSession(env);
  if (!session) throw new CliError('not logged in: run glint login first');
  if (Date.parse(session.expiresAt) <= now) {
    throw new CliError(
      `your session ended at ${session.expiresAt} (the Keystone token expired): run glint login again`,
    );
  }
  return session;
}

export async function removeSession(env = process.env): Promise<boolean> {
  const existed = (await loadSession(env)) !== undefined;
  await rm(sessionFile(env), { force: true });
  return existed;
}
