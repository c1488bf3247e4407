import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { ConfigFileError, openStackSecretOf, parseOpenrc } from '@glint/cloud-adapters';
import type { ApiClient } from '../api-client';
import type { Account, AccountDetail, CreatedSite, Site, SiteHealth } from '@glint/api/replies';
import { action, collect, examples } from '../command-kit';
import type { Context } from '../context';
import { CliError, UsageError } from '../errors';
import { cloudFromFiles, findCloudsFiles, readCaBundle } from '../openstack-config';
import { readStdin, promptSecret } from '../prompt';
import {
  ec2AccountBody,
  findAccount,
  listAccounts,
  regionsOf,
  type Ec2Options,
} from '../ec2-account';
import { labelProblems, labelsText } from '@glint/core';
import { changedLabels, keyValues, parseLabelArgs } from '../labels';
import { findSite, listSites } from '../resolve';
import { renderFields, renderTable } from '../table';

interface AddOptions extends Ec2Options {
  label?: string[];
  openrc?: string;
  osCloud?: string;
  ec2?: boolean;
  passwordStdin?: boolean;
}

export function siteCommands(program: Command): void {
  const site = program
    .command('site')
    .description(
      'Add, list, show, remove and refresh your sites (OpenStack clouds, EC2 accounts).',
    );

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

  examples(
    site
      .command('list')
      .alias('ls')
      .description('Your sites.')
      .action(
        action(async (ctx: Context) => {
          const sites = await listSites(await ctx.client());
          ctx.result(sites, () =>
            sites.length === 0
              ? 'No sites yet: add one with glint site add.'
              : renderTable(
                  ['NAME', 'TYPE', 'REGION', 'USER', 'LABELS', 'INVENTORIED', 'ID'],
                  sites.map((s) => [
                    s.name,
                    s.type,
                    s.config.region,
                    s.credential?.username ?? s.credential?.accessKeyId,
                    labelsText(s.labels),
                    s.inventoriedAt,
                    s.id,
                  ]),
                ),
          );
        }),
      ),
    ['glint site list', 'glint site list --json'],
  );

  examples(
    site
      .command('show')
      .description(
        "One site's settings, and a live check of its credential; or an EC2 account's, with every region AWS lists for it.",
      )
      .argument('<site>', 'name or id of a site or an EC2 account')
      .option('--no-check', 'skip the live check')
      .action(
        action(async (ctx: Context, ref: string, options: { check: boolean }) => {
          const client = await ctx.client();
          const sites = await listSites(client);
          const account = isSite(sites, ref)
            ? undefined
            : findAccount(await listAccounts(client), ref);
          if (account) return showAccount(ctx, client, account);
          const found = findSite(sites, ref);
          const health = options.check
            ? await client.get<SiteHealth>(`/sites/${found.id}/health`)
            : undefined;
          ctx.result({ ...found, ...(health ? { health } : {}) }, () =>
            renderFields([
              ['name', found.name],
              ['id', found.id],
              ['type', found.type],
              ...Object.entries(found.config).map(([key, value]): [string, string] => [
                key,
                typeof value === 'string' ? value : JSON.stringify(value),
              ]),
              [
                'credential',
                found.credential
                  ? `${found.credential.kind} ${found.credential.username ?? found.credential.accessKeyId ?? ''}`.trim()
                  : null,
              ],
              ['account', found.account?.name],
              ['labels', labelsText(found.labels)],
              ['self-heal', found.selfHeal],
              ['inventoried', found.inventoriedAt],
              ['added', found.createdAt],
              ...(health
                ? [
                    [
                      'check',
                      `${health.ok ? 'ok' : 'FAILED'} in ${health.latencyMs} ms: ${health.detail}`,
                    ] as [string, string],
                  ]
                : []),
            ]),
          );
        }),
      ),
    ['glint site show east', 'glint site show east --no-check --json', 'glint site show aws'],
  );

  examples(
    site
      .command('label')
      .summary('Set or remove labels of a site')
      .description(
        'Set labels of a site (key=value) or remove them (key-); standing rules choose sites by ' +
          'their labels. Keys are lower-case letters, digits, ".", "_" and "-" (at most 63, optionally ' +
          'behind "prefix/"), values at most 63 letters, digits, ".", "_" and "-". Without changes, or ' +
          'with --list, prints the labels. Changing labels needs the admin role.',
      )
      .argument('<site>', 'name or id')
      .argument('[labels...]', 'key=value to set, key- to remove')
      .option('--list', 'print the labels (after any changes)')
      .action(action(labelSite)),
    [
      'glint site label east tier=prod experiment=atlas',
      'glint site label east experiment-',
      'glint site label east --list',
    ],
  );

  examples(
    site
      .command('rm')
      .alias('remove')
      .summary('Remove sites')
      .description(
        'Remove sites with their credentials and desired state (the images on them stay; job history stays). ' +
          'An EC2 account’s name removes the account with all its regions’ sites; one region’s site ' +
          '(<account>/<region>) disables that region.',
      )
      .argument('<site...>', 'names or ids of sites or EC2 accounts')
      .action(action(removeSites)),
    [
      'glint site rm east',
      'glint site rm east west',
      'glint site rm aws',
      'glint site rm aws/eu-west-1',
    ],
  );

  examples(
    site
      .command('refresh')
      .summary('Inventory sites again now')
      .description(
        'List the images of sites again now (an inventory job each), instead of waiting for the schedule.',
      )
      .argument('[site...]', 'names or ids; all your sites when none is given')
      .action(
        action(async (ctx: Context, refs: string[]) => {
          const client = await ctx.client();
          let queued: { siteId: string; jobId: string }[];
          if (refs.length === 0) {
            queued = (await client.request<{ queued: typeof queued }>('POST', '/sites/refresh'))
              .queued;
          } else {
            const sites = await listSites(client);
            queued = [];
            for (const s of refs.map((ref) => findSite(sites, ref))) {
              queued.push(
                await client.request<{ siteId: string; jobId: string }>(
                  'POST',
                  `/sites/${s.id}/refresh`,
                ),
              );
            }
          }
          ctx.result(
            { queued },
            () => `Queued ${queued.length} inventor${queued.length === 1 ? 'y' : 'ies'}.`,
          );
        }),
      ),
    ['glint site refresh', 'glint site refresh east west'],
  );
}

async function addSite(ctx: Context, name: string, options: AddOptions): Promise<void> {
  const labels = options.label ? { labels: siteLabels(options.label) } : {};
  if (options.label && options.ec2)
    throw new UsageError('--label is for one site: label an EC2 region with glint site label');
  const client = await ctx.client();
  let created: CreatedSite;
  if (options.openrc) {
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

async function labelSite(
  ctx: Context,
  ref: string,
  args: string[],
  options: { list?: boolean },
): Promise<void> {
  const changes = parseLabelArgs(args);
  const client = await ctx.client();
  let found = findSite(await listSites(client), ref);
  const changing = args.length > 0;
  if (changing)
    found = await client.request<Site>('PATCH', `/sites/${found.id}`, {
      json: { labels: changedLabels(found.labels, changes) },
    });
  const { labels } = found;
  ctx.result({ site: found.name, labels }, () =>
    Object.keys(labels).length === 0
      ? `${found.name} has no labels${changing ? ' now' : ''}.`
      : changing && !options.list
        ? `Labels of ${found.name}: ${labelsText(labels)}.`
        : renderTable(
            ['KEY', 'VALUE'],
            Object.keys(labels)
              .sort()
              .map((key) => [key, labels[key]]),
          ),
  );
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
    if (error instanceof ConfigFileError) throw new CliError(`${file}: ${error.message}`);
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
const isSite = (sites: Site[], ref: string) =>
  sites.some((s) => s.id === ref.toLowerCase() || s.name.toLowerCase() === ref.toLowerCase());

async function showAccount(ctx: Context, client: ApiClient, account: Account): Promise<void> {
  const detail = await client.get<AccountDetail>(`/accounts/${account.id}`);
  const regions = (wanted: (r: AccountDetail['availableRegions'][number]) => boolean) =>
    detail.availableRegions
      .filter(wanted)
      .map((r) => r.region)
      .join(', ');
  ctx.result(detail, () =>
    renderFields([
      ['name', detail.name],
      ['id', detail.id],
      ['type', 'ec2 account'],
      ['sites', detail.regions.map((r) => r.name).join(', ')],
      ['enabled', regionsOf(detail)],
      ['may enable', regions((r) => r.usable && !r.enabled)],
      ['not opted in', regions((r) => !r.usable)],
      ...Object.entries(detail.settings).map(([key, value]): [string, string] => [
        key,
        typeof value === 'string' ? value : JSON.stringify(value),
      ]),
      ['added', detail.createdAt],
    ]),
  );
}

/** Sites, EC2 accounts (with their regions' sites), or single EC2 regions, by name or id. */
async function removeSites(ctx: Context, refs: string[]): Promise<void> {
  const client = await ctx.client();
  const [sites, accounts] = await Promise.all([listSites(client), listAccounts(client)]);
  const removed: { id: string; name: string }[] = [];
  const said: string[] = [];
  for (const ref of refs) {
    const account = isSite(sites, ref) ? undefined : findAccount(accounts, ref);
    if (account) {
      await client.request('DELETE', `/accounts/${account.id}`);
      removed.push(...account.regions.map((r) => ({ id: r.siteId, name: r.name })));
      said.push(
        `Removed EC2 account ${account.name} with its sites ${account.regions.map((r) => r.name).join(', ')}.`,
      );
      continue;
    }
    const site = findSite(sites, ref);
    const owner = site.account && accounts.find((a) => a.id === site.account!.id);
    if (owner) {
      const regions = owner.regions.filter((r) => r.siteId !== site.id);
      if (regions.length === 0)
        throw new CliError(
          `${site.name} is the last region of the EC2 account ${owner.name}: remove the account with glint site rm ${owner.name}`,
        );
      await client.request('PATCH', `/accounts/${owner.id}`, {
        json: { regions: regions.map((r) => r.region) },
      });
      owner.regions = regions;
      said.push(
        `Disabled region ${site.config.region} of EC2 account ${owner.name} (site ${site.name} removed).`,
      );
    } else {
      await client.request('DELETE', `/sites/${site.id}`);
      said.push(`Removed site ${site.name}.`);
    }
    removed.push({ id: site.id, name: site.name });
  }
  ctx.result({ removed }, () => said.join('\n'));
}
