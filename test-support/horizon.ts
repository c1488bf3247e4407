/**
 * A real Horizon for browser tests: Debian's openstack-dashboard with Glint's plugin, run by
 * deploy/horizon/glint-horizon on a loopback port against a sandbox Keystone.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const script = join(__dirname, '..', 'deploy', 'horizon', 'glint-horizon');
const run = promisify(execFile);

export interface HorizonOptions {
  port: number;
  /** The Glint API as the browser reaches it; the panel page loads its bundle from there. */
  glintApi: string;
  /** The Keystone users log in to; Glint's home Keystone, so Glint accepts their tokens. */
  keystone: string;
}

/**
 * Starts Horizon (restarting one that runs with other settings) and resolves with its base URL once
 * its login page answers. A first start on a machine without the package installs it, hence the
 * long limit; after `deploy/test-env` it takes seconds.
 */
export async function startHorizon({ port, glintApi, keystone }: HorizonOptions): Promise<string> {
  const args = ['start', '--port', String(port), '--glint-api', glintApi, '--keystone', keystone];
  try {
    await run('bash', [script, ...args], { timeout: 300_000 });
  } catch (error) {
    // The script says what went wrong on stderr (with the tail of Horizon's log).
    const { stderr } = error as { stderr?: string };
    throw new Error(`glint-horizon ${args.join(' ')} failed: ${stderr || String(error)}`);
  }
  return `http://127.0.0.1:${port}`;
}

/** Stops the Horizon glint-horizon runs; nothing happens if none runs. */
export async function stopHorizon(): Promise<void> {
  await run('bash', [script, 'stop'], { timeout: 60_000 });
}
