import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import type { Account, CreatedSite } from '@glint/api/replies';
import { action, collect, examples } from '../../command-kit';
import type { Context } from '../../context';
import { CliError, UsageError } from '../../errors';
import { readStdin, promptSecret } from '../../prompt';
import { ec2AccountBody, type Ec2Options } from '../../ec2-account';
import { labelProblems } from '@glint/core/client';
import { keyValues } from '../../labels';

// Reading an openrc file or clouds.yaml loads @glint/cloud-adapters (and with it the whole of
// @glint/core): loaded when an OpenStack site is added, so the other commands start without it.
const cloudAdapters = () =>
  require('@glint/cloud-adapters') as typeof import('@glint/cloud-adapters');
const openStackConfig = () =>
  require('../../openstack-config') as typeof import('../../openstack-config');

interface AddOptions extends Ec2Options {
  label?: string[];
  openrc?: string;
  osCloud?: string;
  ec2?: boolean;
  passwordStdin?: boolean;
}

/** glint site add: a site from an openrc file, a clouds.yaml entry, or an EC2 account. */
export function siteAddCommand(site: Command): void {
  examples(
    site
      .command('add')
      .summary('Add a site from an openrc file, a clouds.yaml entry or EC2 keys')
      .description(
        'Add a site. Glint logs in to it once before storing anything; the credential is kept encrypted. ' +
          'From an openrc file (the password from the file, --password-stdin, or a prompt), a clouds.yaml ' +
          'entry, or an EC2 account, whose regions each become a site named <name>/<region> (keys from ' +
          'AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, or --access-key-id with the secret ' +
          'on stdin or asked for without echo).',
      )
      .argument('<name>', 'the name to give the site, unique among yours')
      .addOption(
        new Option('--openrc <file>', 'an openrc file (v3) of the cloud').conflicts([
          'osCloud',
          'ec2',
        ]),
      )
      .addOption(
        new Option(
          '--os-cloud <cloud>',
          'an entry of clouds.yaml (searched as openstacksdk does)',
        ).conflicts('ec2'),
      )
      .option('--ec2', 'an Amazon EC2 account')
      .option('--password-stdin', 'read the password or secret from stdin')
      .option('--label <key=value>', 'a label of the site (repeatable; not for --ec2)', collect)
      .option('--access-key-id <id>', 'EC2: the access key id (default: AWS_ACCESS_KEY_ID)')
      .option(
        '--region <region>',
        'EC2: a region to enable (repeatable, or comma-separated; default us-east-1)',
        collect,
      )
      .option('--role-arn <arn>', 'EC2: a role to assume with the keys')
      .option('--ec2-endpoint <url>', 'EC2: an EC2-compatible endpoint instead of AWS’s')
      .option('--s3-endpoint <url>', 'EC2: an S3-compatible endpoint instead of AWS’s')
      .option('--sts-endpoint <url>', 'EC2: an STS endpoint instead of AWS’s')
      .option('--ssm-endpoint <url>', 'EC2: an SSM endpoint instead of AWS’s (release parameters)')
      .action(action(addSite)),
    [
      'glint site add east --openrc east-openrc.sh --label tier=prod',
      'printf %s "$PASSWORD" | glint site add east --openrc east-openrc.sh --password-stdin',
      'glint site add west --os-cloud west',
      'AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… glint site add aws --ec2 --region eu-west-1 --region us-east-1',
      'glint site add aws --ec2 --access-key-id AKIA… --role-arn arn:aws:iam::123456789012:role/glint',
    ],
  );
}

async function addSite(ctx: Context, name: string, options: AddOptions): Promise<void> {
  const labels = options.label ? { labels: siteLabels(options.label) } : {};
  if (options.label && options.ec2)
    throw new UsageError('--label is for one site: label an EC2 region with glint site label');
  const client = await ctx.client();
  let created: CreatedSite;
  if (options.openrc) {
    const { openStackSecretOf, parseOpenrc } = cloudAdapters();
    const { readCaBundle } = openStackConfig();
    const openrc = await readText(options.openrc);
    const parsed = parseLocally(options.openrc, () => parseOpenrc(openrc));
    const caBundle = await readCaBundle(parsed);
    const secret = openStackSecretOf(parsed.credential);
    const password = secret ? undefined : await missingSecret(options, options.openrc);
    created = await client.request<CreatedSite>('POST', '/sites/openrc', {
      json: {
        name,
        openrc,
        ...(password ? { password } : {}),
        ...(caBundle ? { caBundle } : {}),
        ...labels,
      },
    });
  } else if (options.osCloud) {
    const { openStackSecretOf } = cloudAdapters();
    const { cloudFromFiles, findCloudsFiles, readCaBundle } = openStackConfig();
    const files = await findCloudsFiles();
    const parsed = cloudFromFiles(files, options.osCloud);
    const caBundle = await readCaBundle(parsed);
    const secret = openStackSecretOf(parsed.credential);
    const password = secret ? undefined : await missingSecret(options, files.path);
    created = await client.request<CreatedSite>('POST', '/sites/clouds-yaml', {
      json: {
        name,
        cloudsYaml: files.cloudsYaml,
        cloud: options.osCloud,
        ...(files.secureYaml ? { secureYaml: files.secureYaml } : {}),
        ...(password ? { password } : {}),
        ...(caBundle ? { caBundle } : {}),
        ...labels,
      },
    });
  } else if (options.ec2) {
    const account = await client.request<Account>('POST', '/accounts', {
      json: await ec2AccountBody(name, options),
    });
    ctx.result(
      account,
      () =>
        `Added EC2 account ${account.name} (id ${account.id}); its regions are sites: ${account.regions.map((r) => r.name).join(', ')}.`,
    );
    return;
  } else {
    throw new UsageError('say where the site is: --openrc FILE, --os-cloud NAME or --ec2');
  }
  for (const warning of created.warnings) ctx.note(`warning: ${warning}`);
  ctx.result(created, () => `Added site ${created.name} (${created.type}, id ${created.id}).`);
}

/** --label options as labels, checked as the API checks them. */
function siteLabels(options: string[]): Record<string, string> {
  const labels = keyValues('--label', options);
  const problems = labelProblems(labels);
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return labels;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** The file checked here first, so its problems name the file the user gave. */
function parseLocally<T>(file: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof cloudAdapters().ConfigFileError)
      throw new CliError(`${file}: ${error.message}`);
    throw error;
  }
}

/** The secret a file leaves out (as Horizon's openrc files do): from stdin, or asked for. */
async function missingSecret(options: AddOptions, file: string): Promise<string | undefined> {
  if (options.passwordStdin) return readStdin();
  if (process.stdin.isTTY) return promptSecret(`Password for the site in ${file}: `);
  // Without one the API says what is missing (password_required) and how to give it.
  return undefined;
}

/** Whether `ref` names a site (a site's name wins over an account's, as it is the more precise). */
