import type { Document, LineCounter } from 'yaml';
import { ConfigFileError, type ConfigFileLocation } from './config-file-error';
import {
  parseBoolean,
  siteFromSettings,
  type OpenStackSettings,
  type ParsedSiteFile,
  type SettingName,
} from './site-settings';

/** Where each setting lives under `clouds.<name>`, preferred first (`tenant_*` are the v2-era names). */
const keysBySetting: Record<SettingName, string[]> = {
  authUrl: ['auth.auth_url'],
  authType: ['auth_type'],
  identityApiVersion: ['identity_api_version'],
  username: ['auth.username'],
  userId: ['auth.user_id'],
  password: ['auth.password'],
  projectName: ['auth.project_name', 'auth.tenant_name'],
  projectId: ['auth.project_id', 'auth.tenant_id'],
  userDomainName: ['auth.user_domain_name'],
  userDomainId: ['auth.user_domain_id'],
  projectDomainName: ['auth.project_domain_name'],
  projectDomainId: ['auth.project_domain_id'],
  domainName: ['auth.domain_name'],
  domainId: ['auth.domain_id'],
  applicationCredentialId: ['auth.application_credential_id'],
  applicationCredentialName: ['auth.application_credential_name'],
  applicationCredentialSecret: ['auth.application_credential_secret'],
  region: ['region_name'],
  interface: ['interface'],
  cacert: ['cacert'],
  // `verify: false` is openstacksdk's spelling; `insecure: true` the older one.
  insecure: ['verify', 'insecure'],
};

const knownAuthKeys = new Set(
  Object.values(keysBySetting)
    .flat()
    .filter((key) => key.startsWith('auth.'))
    .map((key) => key.slice('auth.'.length)),
);

interface YamlFile {
  file: string;
  doc: Document;
  lines: LineCounter;
  data: unknown;
}

type YamlMapping = Record<string, unknown>;

function isMapping(value: unknown): value is YamlMapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function loadYaml(text: string, file: string): YamlFile {
  // Loaded on the first clouds.yaml (a site added from one, in the API): ~10 MiB the daemon,
  // which reads none, never pays for.
  const { LineCounter, parseDocument } = require('yaml') as typeof import('yaml');
  const lines = new LineCounter();
  // Pretty errors quote the surrounding source, which may hold a password.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, merge: true });
  const [error] = doc.errors;
  if (error) {
    // Errors found at the end of the text (an unclosed quote, say) belong to its last written line.
    const offset = Math.max(0, Math.min(error.pos[0], text.trimEnd().length - 1));
    throw new ConfigFileError(`is not valid YAML (${error.message}): fix the syntax there`, {
      file,
      line: lines.linePos(offset).line,
    });
  }
  const unusable = (reason: string) =>
    new ConfigFileError(
      `is not usable YAML (${reason}): fix its aliases (*name) and anchors (&name)`,
      { file },
    );
  let js: unknown;
  try {
    // An alias to a missing anchor, or so many aliases the document would explode, fails here.
    js = doc.toJS();
  } catch (failure) {
    throw unusable((failure as Error).message);
  }
  let data: unknown;
  try {
    // As plain data, so nothing further on walks round an alias inside its own anchor (&a [*a]).
    data = JSON.parse(JSON.stringify(js)) as unknown;
  } catch {
    throw unusable('an alias is inside the anchor it names');
  }
  return { file, doc, lines, data };
}

function cloudsOf(yaml: YamlFile): YamlMapping {
  const clouds = isMapping(yaml.data) ? yaml.data.clouds : undefined;
  if (!isMapping(clouds)) {
    throw new ConfigFileError(
      'has no "clouds:" mapping at the top level: the file should start with clouds: and one entry per cloud',
      {
        file: yaml.file,
      },
    );
  }
  return clouds;
}

/** Where `path` is written in the file, if it is. */
function lineOf(yaml: YamlFile, path: string[]): number | undefined {
  const node = yaml.doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
  return node?.range ? yaml.lines.linePos(node.range[0]).line : undefined;
}

/** secure.yaml's entry laid over clouds.yaml's, mappings merged key by key and anything else replaced. */
function deepMerge(base: YamlMapping, over: YamlMapping): YamlMapping {
  const merged: YamlMapping = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const existing = merged[key];
    merged[key] = isMapping(existing) && isMapping(value) ? deepMerge(existing, value) : value;
  }
  return merged;
}

function valueAt(entry: YamlMapping, key: string): unknown {
  return key
    .split('.')
    .reduce<unknown>((node, part) => (isMapping(node) ? node[part] : undefined), entry);
}

/** The names of the clouds a clouds.yaml defines. */
export function cloudNames(cloudsYaml: string): string[] {
  return Object.keys(cloudsOf(loadYaml(cloudsYaml, 'clouds.yaml')));
}

/**
 * One cloud of a clouds.yaml, with its entry in secure.yaml (where the secrets are often kept)
 * merged over it.
 */
export function parseCloudsYaml(
  cloudsYaml: string,
  cloudName: string,
  secureYaml?: string,
): ParsedSiteFile {
  const { entry, files } = cloudEntry(cloudsYaml, cloudName, secureYaml);
  const place = (key: string): ConfigFileLocation => {
    const path = ['clouds', cloudName, ...key.split('.')];
    for (const yaml of files) {
      const line = lineOf(yaml, path);
      if (line !== undefined) return { file: yaml.file, line };
    }
    return { file: 'clouds.yaml', line: lineOf(files[files.length - 1]!, ['clouds', cloudName]) };
  };
  const spell = (key: string) => `clouds.${cloudName}.${key}`;
  const { settings, used } = settingsOf(entry, spell, place);

  const warnings: string[] = [];
  const auth = entry.auth;
  if (isMapping(auth)) {
    for (const key of Object.keys(auth).filter((k) => !knownAuthKeys.has(k))) {
      warnings.push(`${spell(`auth.${key}`)} is not used by Glint`);
    }
  }
  if (!settings.authUrl && typeof entry.profile === 'string') {
    throw new ConfigFileError(
      `cloud "${cloudName}" takes its auth_url from the vendor profile "${entry.profile}", which Glint does not read: add auth.auth_url`,
      place('profile'),
    );
  }

  const parsed = siteFromSettings(settings, {
    nameOf: (setting) => spell(used.get(setting) ?? keysBySetting[setting][0]!),
    locate: (setting) => place(used.get(setting) ?? keysBySetting[setting][0]!),
  });
  return { ...parsed, warnings: [...warnings, ...parsed.warnings] };
}

/**
 * The cloud's entry, secure.yaml's merged over clouds.yaml's, and the files in the order a
 * setting is searched for: secure.yaml first, as what it says is what counts.
 */
function cloudEntry(
  cloudsYaml: string,
  cloudName: string,
  secureYaml: string | undefined,
): { entry: YamlMapping; files: YamlFile[] } {
  const files = [loadYaml(cloudsYaml, 'clouds.yaml')];
  const clouds = cloudsOf(files[0]!);
  const base = clouds[cloudName];
  if (base === undefined) {
    const names = Object.keys(clouds);
    throw new ConfigFileError(
      `has no cloud named "${cloudName}"; it has ${names.length ? names.map((n) => `"${n}"`).join(', ') : 'none'}: choose one of those`,
      { file: 'clouds.yaml' },
    );
  }
  if (!isMapping(base)) {
    throw new ConfigFileError(`the entry for cloud "${cloudName}" is not a mapping of settings`, {
      file: 'clouds.yaml',
      line: lineOf(files[0]!, ['clouds', cloudName]),
    });
  }
  if (secureYaml === undefined) return { entry: base, files };
  const secure = loadYaml(secureYaml, 'secure.yaml');
  const secret = cloudsOf(secure)[cloudName];
  return { entry: isMapping(secret) ? deepMerge(base, secret) : base, files: [secure, ...files] };
}

/** The settings an entry gives, and which of a setting's spellings gave each. */
function settingsOf(
  entry: YamlMapping,
  spell: (key: string) => string,
  place: (key: string) => ConfigFileLocation,
): { settings: OpenStackSettings; used: Map<SettingName, string> } {
  const settings: OpenStackSettings = {};
  const used = new Map<SettingName, string>();
  for (const [setting, keys] of Object.entries(keysBySetting) as [SettingName, string[]][]) {
    const key = keys.find((k) => valueAt(entry, k) !== undefined && valueAt(entry, k) !== null);
    if (!key) continue;
    used.set(setting, key);
    const value = valueAt(entry, key);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new ConfigFileError(
        `${spell(key)} must be a single value, not a list or mapping`,
        place(key),
      );
    }
    if (setting === 'insecure') {
      const flag = typeof value === 'boolean' ? value : parseBoolean(String(value));
      if (flag === undefined)
        throw new ConfigFileError(`${spell(key)} must be true or false`, place(key));
      settings.insecure = key === 'verify' ? !flag : flag;
    } else {
      settings[setting] = String(value);
    }
  }
  return { settings, used };
}
