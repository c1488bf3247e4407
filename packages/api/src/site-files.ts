import {
  cloudNames,
  ConfigFileError,
  parseCloudsYaml,
  parseOpenrc,
  type ParsedSiteFile,
} from '@glint/cloud-adapters';
import { ApiError } from './errors';
import type { CloudsYamlSiteBody, OpenrcSiteBody } from './schemas/sites';
import { siteTypeOf, type SiteConfig, type SiteDraft } from './site-types';

/** A site read from an openrc or clouds.yaml file, with what the file said that was ignored or guessed. */
export interface SiteFromFile {
  draft: SiteDraft;
  warnings: string[];
}

interface FileExtras {
  name: string;
  password?: string;
  caBundle?: string;
}

/** Runs a file parser, turning its complaints into a 400 that names the file and line. */
function parsed(parse: () => ParsedSiteFile): ParsedSiteFile {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof ConfigFileError)) throw error;
    throw new ApiError(400, 'invalid_site_file', error.message, {
      file: error.file,
      ...(error.line === undefined ? {} : { line: error.line }),
    });
  }
}

/** Completes what the file gave with what came beside it: the secret and the CA bundle's contents. */
function completed(file: ParsedSiteFile, extras: FileExtras, fileName: string): SiteFromFile {
  // The type is the site's, not part of its stored configuration.
  const config: SiteConfig = { ...file.config };
  delete config.type;
  if (file.caBundlePath) {
    if (!extras.caBundle) {
      throw new ApiError(
        400,
        'ca_bundle_required',
        `the ${fileName} names the CA bundle ${file.caBundlePath}, which Glint does not read from its own disk: send the bundle's text as caBundle`,
      );
    }
    config.caBundle = extras.caBundle;
  }
  const { credential } = file;
  const openStack = siteTypeOf('openstack');
  const { secretFields, form } = openStack.credentialKinds[credential.kind]!;
  const secret = extras.password ?? openStack.secretOf(credential);
  if (!secret) {
    throw new ApiError(
      400,
      'password_required',
      `the ${fileName} holds no ${form.secretLabel}: send it as password`,
    );
  }
  return {
    draft: {
      type: 'openstack',
      name: extras.name,
      config,
      credential: { ...credential, [secretFields[0]]: secret },
    },
    warnings: file.warnings,
  };
}

export function siteFromOpenrc(body: OpenrcSiteBody): SiteFromFile {
  return completed(
    parsed(() => parseOpenrc(body.openrc)),
    body,
    'openrc file',
  );
}

export function siteFromCloudsYaml(body: CloudsYamlSiteBody): SiteFromFile {
  const file = parsed(() => {
    const cloud = body.cloud ?? onlyCloud(cloudNames(body.cloudsYaml));
    return parseCloudsYaml(body.cloudsYaml, cloud, body.secureYaml);
  });
  return completed(file, body, 'clouds.yaml entry');
}

function onlyCloud(names: string[]): string {
  if (names.length === 1) return names[0]!;
  throw new ApiError(
    400,
    'cloud_required',
    names.length === 0
      ? 'the clouds.yaml file lists no clouds'
      : `the clouds.yaml file lists several clouds (${names.join(', ')}): say which one as cloud`,
  );
}
