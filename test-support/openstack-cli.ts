/**
 * The OpenStack reference client (Debian's `openstack`, python-openstackclient) against the
 * sandbox, so tests check what Glint did with a client that is not Glint's.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sandboxDir, type SandboxCloud } from './sandbox';

/**
 * Runs `openstack --os-cloud <cloud>-<user> ...args -f json` with the sandbox's clouds.yaml and
 * returns the parsed output; a command with no output (`image set`) returns undefined.
 */
export async function openstackCli(
  cloud: SandboxCloud,
  args: string[],
  user: keyof SandboxCloud['users'] = 'demo',
): Promise<unknown> {
  const json = /^(list|show|create)$/.test(args[1] ?? '') ? ['-f', 'json'] : [];
  const { stdout } = await promisify(execFile)(
    'openstack',
    ['--os-cloud', `${cloud.name}-${user}`, ...args, ...json],
    {
      env: { ...process.env, OS_CLIENT_CONFIG_FILE: join(sandboxDir, 'clouds.yaml') },
      timeout: 60_000,
    },
  );
  return stdout.trim() ? JSON.parse(stdout) : undefined;
}
