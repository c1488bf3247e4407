import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigFileError,
  parseCloudsYaml,
  parseOpenrc,
  type ParsedSiteFile,
} from '@glint/cloud-adapters';
import { CliError } from './errors';

/** A clouds.yaml found on the search path, with the secure.yaml beside it if there is one. */
export interface CloudsFiles {
  path: string;
  cloudsYaml: string;
  secureYaml?: string;
}

/** openstacksdk's search path for `name` (clouds.yaml or secure.yaml), first found wins. */
export function configSearchPath(name: string, env: NodeJS.ProcessEnv, cwd: string): string[] {
  const userDir = join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'openstack');
  return [join(cwd, name), join(userDir, name), join('/etc/openstack', name)];
}

async function firstReadable(paths: string[]): Promise<{ path: string; text: string } | undefined> {
  for (const path of paths) {
    try {
      return { path, text: await readFile(path, 'utf8') };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
      }
    }
  }
  return undefined;
}

export async function findCloudsFiles(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): Promise<CloudsFiles> {
  const explicit = env.OS_CLIENT_CONFIG_FILE;
  const candidates = explicit ? [explicit] : configSearchPath('clouds.yaml', env, cwd);
  const clouds = await firstReadable(candidates);
  if (!clouds) {
    throw new CliError(
      `no clouds.yaml found (looked at ${candidates.join(', ')}): write one there, or set OS_CLIENT_CONFIG_FILE`,
    );
  }
  const secure = await firstReadable(configSearchPath('secure.yaml', env, cwd));
  return {
    path: clouds.path,
    cloudsYaml: clouds.text,
    ...(secure ? { secureYaml: secure.text } : {}),
  };
}

/** One cloud of clouds.yaml (secure.yaml laid over it), with problems named by file and line. */
export function cloudFromFiles(files: CloudsFiles, cloud: string): ParsedSiteFile {
  try {
    return parseCloudsYaml(files.cloudsYaml, cloud, files.secureYaml);
  } catch (error) {
    if (error instanceof ConfigFileError) throw new CliError(`${files.path}: ${error.message}`);
    throw error;
  }
}

/**
 * The site the OS_* variables describe, read by the openrc parser (the variables written out as the
 * openrc file that would set them), so the environment and openrc files mean exactly the same.
 */
export function cloudFromEnvironment(env: NodeJS.ProcessEnv = process.env): ParsedSiteFile {
  const lines = Object.entries(env)
    .filter(([name, value]) => name.startsWith('OS_') && value !== undefined)
    .map(([name, value]) => {
      if (/[\r\n]/.test(value!)) throw new CliError(`${name} spans several lines: give it on one`);
      return `export ${name}='${value!.replace(/'/g, `'\\''`)}'`;
    });
  try {
    return parseOpenrc(lines.join('\n'));
  } catch (error) {
    if (error instanceof ConfigFileError) {
      throw new CliError(
        `the OS_* environment: ${error.message.replace(/^openrc( line \d+)?: /, '')}`,
      );
    }
    throw error;
  }
}

/** Reads the CA bundle a file or the environment names, as the API takes the bundle's text. */
export async function readCaBundle(parsed: ParsedSiteFile): Promise<string | undefined> {
  if (!parsed.caBundlePath) return undefined;
  const path = parsed.caBundlePath.replace(/^~(?=\/)/, homedir());
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read the CA bundle ${path}: ${(error as Error).message}`);
  }
}
