import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { ConfigFileError, parseOpenrc } from '@glint/cloud-adapters';
import type { Site, SiteHealth } from '../api-types';
import { action, collect, examples } from '../command-kit';
import type { Context } from '../context';
import { CliError, UsageError } from '../errors';
import { cloudFromFiles, findCloudsFiles, readCaBundle } from '../openstack-config';
import { readStdin, promptSecret } from '../prompt';
import { findSite, listSites } from '../resolve';
import { renderFields, renderTable } from '../table';

interface AddOptions {
  openrc?: string;
  osCloud?: string;
  ec2?: boolean;
  passwordStdin?: boolean;
  accessKeyId?: string;
  region?: string[];
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
          'entry, or an EC2 account (keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, ' +
          'or --access-key-id with the secret on stdin).',
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
      .option('--access-key-id <id>', 'EC2: the access key id (default: AWS_ACCESS_KEY_ID)')
      .option('--region <region>', 'EC2: a region to use (repeatable, or comma-separated)', collect)
      .action(action(addSite)),
    [
      'glint site add east --openrc east-openrc.sh',
      'printf %s "$PASSWORD" | glint site add east --openrc east-openrc.sh --password-stdin',
      'glint site add west --os-cloud west',
      'AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… glint site add aws --ec2 --region eu-west-1,us-east-1',
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
                  ['NAME', 'TYPE', 'REGION', 'USER', 'INVENTORIED', 'ID'],
                  sites.map((s) => [
                    s.name,
                    s.type,
                    s.config.region,
                    s.credential?.username,
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
      .description("One site's settings, and a live check of its credential.")
      .argument('<site>', 'name or id')
      .option('--no-check', 'skip the live check')
      .action(
        action(async (ctx: Context, ref: string, options: { check: boolean }) => {
          const client = await ctx.client();
          const found = findSite(await listSites(client), ref);
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
                  ? `${found.credential.kind} ${found.credential.username ?? ''}`.trim()
                  : null,
              ],
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
    ['glint site show east', 'glint site show east --no-check --json'],
  );

  examples(
    site
      .command('rm')
      .alias('remove')
      .summary('Remove sites')
      .description(
        'Remove sites with their credentials and desired state (the images on them stay; job history stays).',
      )
      .argument('<site...>', 'names or ids')
      .action(
        action(async (ctx: Context, refs: string[]) => {
          const client = await ctx.client();
          const sites = await listSites(client);
          const removed = refs.map((ref) => findSite(sites, ref));
          for (const s of removed) await client.request('DELETE', `/sites/${s.id}`);
          ctx.result({ removed: removed.map((s) => ({ id: s.id, name: s.name })) }, () =>
            removed.map((s) => `Removed site ${s.name}.`).join('\n'),
          );
        }),
      ),
    ['glint site rm east', 'glint site rm east west'],
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
  const client = await ctx.client();
  let created: Site;
  if (options.openrc) {
    const openrc = await readText(options.openrc);
    const parsed = parseLocally(options.openrc, () => parseOpenrc(openrc));
    const caBundle = await readCaBundle(parsed);
    const secret =
      parsed.credential.kind === 'password' ? parsed.credential.password : parsed.credential.secret;
    const password = secret ? undefined : await missingSecret(options, options.openrc);
    created = await client.request<Site>('POST', '/sites/openrc', {
      json: { name, openrc, ...(password ? { password } : {}), ...(caBundle ? { caBundle } : {}) },
    });
  } else if (options.osCloud) {
    const files = await findCloudsFiles();
    const parsed = cloudFromFiles(files, options.osCloud);
    const caBundle = await readCaBundle(parsed);
    const secret =
      parsed.credential.kind === 'password' ? parsed.credential.password : parsed.credential.secret;
    const password = secret ? undefined : await missingSecret(options, files.path);
    created = await client.request<Site>('POST', '/sites/clouds-yaml', {
      json: {
        name,
        cloudsYaml: files.cloudsYaml,
        cloud: options.osCloud,
        ...(files.secureYaml ? { secureYaml: files.secureYaml } : {}),
        ...(password ? { password } : {}),
        ...(caBundle ? { caBundle } : {}),
      },
    });
  } else if (options.ec2) {
    created = await client.request<Site>('POST', '/accounts', {
      json: await ec2Account(name, options),
    });
  } else {
    throw new UsageError('say where the site is: --openrc FILE, --os-cloud NAME or --ec2');
  }
  for (const warning of created.warnings ?? []) ctx.note(`warning: ${warning}`);
  ctx.result(created, () => `Added site ${created.name} (${created.type}, id ${created.id}).`);
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

async function ec2Account(name: string, options: AddOptions) {
  const accessKeyId = options.accessKeyId ?? process.env.AWS_ACCESS_KEY_ID;
  if (!accessKeyId)
    throw new UsageError('--ec2 needs an access key id: --access-key-id ID or AWS_ACCESS_KEY_ID');
  const secretAccessKey = options.passwordStdin
    ? await readStdin()
    : process.env.AWS_SECRET_ACCESS_KEY;
  if (!secretAccessKey) {
    throw new UsageError(
      '--ec2 needs the secret access key: pipe it with --password-stdin, or set AWS_SECRET_ACCESS_KEY',
    );
  }
  const sessionToken = process.env.AWS_SESSION_TOKEN;
  return {
    type: 'ec2',
    name,
    credential: {
      kind: 'ec2_keys',
      accessKeyId,
      secretAccessKey,
      ...(sessionToken ? { sessionToken } : {}),
    },
    ...(options.region?.length ? { regions: options.region } : {}),
  };
}
