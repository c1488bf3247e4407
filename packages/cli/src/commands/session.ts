import { Command, Option } from 'commander';
import type { ParsedSiteFile } from '@glint/cloud-adapters';
import { ApiClient } from '../api-client';
import type { Me } from '@glint/api/replies';
import { action, examples } from '../command-kit';
import { ApiError } from '@glint/core/client';
import { CliError, UsageError } from '../errors';
import { currentSession, loadSession, removeSession, saveSession } from '../session';
import { renderFields } from '../table';

// Reading OpenStack credentials and logging in to Keystone load @glint/cloud-adapters (and with
// it the whole of @glint/core): only login needs them, so the other commands start without them.
const openStackConfig = () =>
  require('../openstack-config') as typeof import('../openstack-config');
const keystone = () => require('../keystone-login') as typeof import('../keystone-login');

interface LoginOptions {
  api?: string;
  osCloud?: string;
  project?: string;
  projectDomain?: string;
  passwordStdin?: boolean;
}

export function sessionCommands(program: Command): void {
  examples(
    program
      .command('login')
      .summary('Log in with your OpenStack credentials')
      .description(
        'Log in with your OpenStack credentials: gets a Keystone token from the Keystone Glint trusts ' +
          'and keeps it (with the API URL) in ~/.config/glint/session.json, readable by you only. ' +
          'Reads the OS_* variables of an openrc file, or --os-cloud from clouds.yaml ' +
          '(./clouds.yaml, ~/.config/openstack/, /etc/openstack/; OS_CLOUD works too), and asks for ' +
          'the password without echo when it is missing and stdin is a terminal.',
      )
      .addOption(new Option('--api <url>', "the Glint API's URL").env('GLINT_API_URL'))
      .option('--os-cloud <name>', 'the cloud of clouds.yaml to log in with')
      .option(
        '--project <name>',
        "the Keystone project to log in to, instead of the openrc's or clouds.yaml's: Glint shows its sites, images and jobs",
      )
      .option('--project-domain <name>', "the project's domain (default: the one configured)")
      .option('--password-stdin', 'read the password (or application credential secret) from stdin')
      .action(action(login)),
    [
      'source demo-openrc.sh && glint login --api https://glint.example.org',
      'glint login --api https://glint.example.org --os-cloud home',
      'glint login --os-cloud home --project atlas-images',
      'printf %s "$PASSWORD" | glint login --password-stdin',
    ],
  );
  examples(
    program
      .command('logout')
      .description('Forget the stored session (the Keystone token ends at its expiry).')
      .action(
        action(async (ctx) => {
          const removed = await removeSession();
          ctx.result({ loggedOut: removed }, () => (removed ? 'Logged out.' : 'Not logged in.'));
        }),
      ),
    ['glint logout'],
  );
  examples(
    program
      .command('whoami')
      .description('Who the API sees you as, and until when the session lasts.')
      .action(
        action(async (ctx) => {
          const session = await currentSession();
          const me = await ApiClient.of(session).get<Me>('/me');
          ctx.result({ apiUrl: session.apiUrl, ...me }, () =>
            renderFields([
              ['API', session.apiUrl],
              ['user', `${me.name} (domain ${me.domain})`],
              ['project', me.project?.name],
              ['role', me.role ?? 'none'],
              ['Glint admin', me.isAdmin ? 'yes' : 'no'],
              ['until', me.expiresAt],
            ]),
          );
        }),
      ),
    ['glint whoami', 'glint whoami --json'],
  );
}

async function login(ctx: import('../context').Context, options: LoginOptions): Promise<void> {
  const apiUrl = options.api ?? (await loadSession().catch(() => undefined))?.apiUrl;
  if (!apiUrl) {
    throw new UsageError(
      'say which Glint API to log in to: --api https://glint.example.org (or GLINT_API_URL)',
    );
  }
  try {
    new URL(apiUrl);
  } catch {
    throw new UsageError(`--api ${apiUrl} is not a URL: give it as https://glint.example.org`);
  }
  const { cloudFromEnvironment, cloudFromFiles, findCloudsFiles } = openStackConfig();
  const { completeCredential, keystoneLogin } = keystone();
  const cloud = options.osCloud ?? (process.env.OS_AUTH_URL ? undefined : process.env.OS_CLOUD);
  let source: string;
  let parsed: ParsedSiteFile;
  if (cloud) {
    const files = await findCloudsFiles();
    source = `cloud "${cloud}" of ${files.path}`;
    parsed = cloudFromFiles(files, cloud);
  } else if (process.env.OS_AUTH_URL) {
    source = 'the OS_* environment';
    parsed = cloudFromEnvironment();
  } else {
    throw new UsageError(
      'no OpenStack credentials: source your openrc file (OS_AUTH_URL, OS_USERNAME, …) or give --os-cloud NAME',
    );
  }
  for (const warning of parsed.warnings) ctx.note(`warning: ${warning}`);
  if (options.project) parsed = withProject(parsed, options.project, options.projectDomain);
  const credential = await completeCredential(parsed, Boolean(options.passwordStdin), source);
  const token = await keystoneLogin(parsed, credential);

  let me: Me;
  try {
    me = await new ApiClient(apiUrl, token.token).get<Me>('/me');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      throw new CliError(
        `the Glint API at ${apiUrl} refused the token from ${token.authUrl} (${error.code}): ` +
          'log in with the credentials of the Keystone Glint trusts (its GLINT_KEYSTONE_URL)',
      );
    }
    throw error;
  }
  const file = await saveSession({
    apiUrl,
    token: token.token,
    expiresAt: token.expiresAt,
    authUrl: token.authUrl,
    user: { name: me.name, domain: me.domain, project: me.project?.name ?? null },
  });
  ctx.result(
    {
      apiUrl,
      user: me.name,
      domain: me.domain,
      project: me.project?.name ?? null,
      expiresAt: token.expiresAt,
      sessionFile: file,
    },
    () =>
      `Logged in to ${apiUrl} as ${me.name}${me.project ? ` in project ${me.project.name}` : ''} until ${token.expiresAt}.`,
  );
}

/** The login scoped to `project` (by name) rather than to the file's or environment's. */
function withProject(parsed: ParsedSiteFile, project: string, domain?: string): ParsedSiteFile {
  const config = { ...parsed.config, projectName: project };
  delete config.projectId;
  if (domain !== undefined) {
    delete config.projectDomainId;
    config.projectDomainName = domain;
  } else if (config.projectDomainId === undefined) {
    config.projectDomainName ??= config.userDomainName ?? 'Default';
  }
  return { ...parsed, config };
}
