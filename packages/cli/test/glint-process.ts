/**
 * `glint` as a real process, as users run it: bundled once with esbuild (the built package runs the
 * same code from dist/), started with exactly the environment a test gives.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';
import { sandboxCloud, type SandboxCloud } from '../../../test-support/sandbox';

const root = join(__dirname, '..', '..', '..');

export async function bundleGlint(dir: string): Promise<string> {
  const outfile = join(dir, 'glint.js');
  await build({
    entryPoints: [join(root, 'packages', 'cli', 'src', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    tsconfig: join(root, 'tsconfig.test.json'),
    // The AWS SDK is reached only through an EC2 adapter, which the CLI never makes; from dist/ it
    // is never read. Bundled, its 5 MB would be parsed at every start, a cost users do not pay.
    external: ['@aws-sdk/*', '@smithy/*'],
    logLevel: 'warning',
  });
  return outfile;
}

export interface GlintResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface GlintRun {
  /** What it printed so far. */
  output: { stdout: string; stderr: string };
  exited: Promise<GlintResult>;
}

export function startGlint(
  script: string,
  args: string[],
  env: Record<string, string>,
  input?: string,
): GlintRun {
  const child = spawn(process.execPath, [script, ...args], {
    env: { PATH: process.env.PATH!, ...env },
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (input !== undefined) child.stdin!.end(input);
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<GlintResult>((resolve) =>
    child.on('close', (code) => resolve({ code, ...output })),
  );
  return { output, exited };
}

export function runGlint(
  script: string,
  args: string[],
  env: Record<string, string>,
  input?: string,
): Promise<GlintResult> {
  return startGlint(script, args, env, input).exited;
}

/** The environment of a shell that sourced cloud1's openrc for the demo user. */
export function openstackEnv(
  cloud: SandboxCloud = sandboxCloud(1),
  password?: string,
): Record<string, string> {
  const u = cloud.users.demo;
  return {
    OS_AUTH_URL: cloud.authUrl,
    OS_USERNAME: u.username,
    OS_PASSWORD: password ?? u.password,
    OS_PROJECT_NAME: u.projectName,
    OS_USER_DOMAIN_NAME: u.userDomainName,
    OS_PROJECT_DOMAIN_NAME: u.projectDomainName,
    OS_IDENTITY_API_VERSION: '3',
  };
}

/** An openrc file of `cloud` for the demo user, as Horizon hands them out (or with the password). */
export function openrcText(cloud: SandboxCloud, withPassword: boolean): string {
  const vars = openstackEnv(cloud);
  if (!withPassword) delete (vars as Partial<typeof vars>).OS_PASSWORD;
  return `${Object.entries({ ...vars, OS_REGION_NAME: cloud.region })
    .map(([name, value]) => `export ${name}=${value}`)
    .join('\n')}\n`;
}
