import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import type { FamilyDetails, ReleaseFamilies, ReleaseVersion } from '@glint/api/replies';
import { action, collect, examples } from '../command-kit';
import type { Context } from '../context';
import { UsageError } from '../errors';
import { resolveImage } from '../resolve';
import { renderFields, renderTable } from '../table';
import { upload } from './image/upload';
import { releaseAdminCommands } from './release/family';
import { pairsOf } from './release/properties';

interface PublishOptions {
  image?: string;
  releaseVersion?: string;
  property: string[];
  to: string[];
  name?: string;
  diskFormat?: string;
}

/**
 * The logical image to publish: `--image`, or a file or URL uploaded (imported) first onto the
 * `--to` sites through the ordinary upload, found afterwards by the name it got.
 */
async function imageToPublish(ctx: Context, source: string | undefined, options: PublishOptions) {
  const client = await ctx.client();
  if (options.image && source) throw new UsageError('give either FILE|URL or --image, not both');
  if (options.image) return (await resolveImage(client, options.image)).row.id;
  if (!source) throw new UsageError('give the FILE or URL to publish, or --image IMAGE');
  if (options.to.length === 0)
    throw new UsageError('a FILE or URL needs --to SITE: where it is uploaded before it rolls out');
  await upload(ctx, source, {
    to: options.to,
    containerFormat: 'bare',
    visibility: 'private',
    wait: true,
    ...(options.name && { name: options.name }),
    ...(options.diskFormat && { diskFormat: options.diskFormat }),
  });
  const file = /^https?:\/\//i.test(source) ? basename(new URL(source).pathname) : basename(source);
  const name = options.name ?? file.slice(0, file.length - extname(file).length);
  return (await resolveImage(client, name)).row.id;
}

const siteStates = (version: ReleaseVersion) =>
  version.sites.map((s) => `${s.siteName}:${s.state}`).join(' ');

function familyText(details: FamilyDetails): string {
  const { family } = details;
  return [
    renderFields([
      ['family', family.name],
      ['stable name', family.stableName],
      ['follows', family.follows],
      ['waves', details.waves.map((wave) => wave.length).join(' → ') + ' sites'],
      ['soak', `${family.soakSeconds} s`],
      ['keep', family.keepMode === 'last' ? `last ${family.keepLast}` : family.keepMode],
      ['channels', details.channels.map((c) => `${c.name}=${c.version}`).join(', ')],
    ]),
    renderTable(
      ['VERSION', 'CHANNELS', 'WAVE', 'HALTED', 'SITES'],
      details.versions.map((v) => [
        v.version,
        v.channels.join(','),
        v.wave + 1,
        v.haltedReason,
        siteStates(v),
      ]),
    ),
  ].join('\n');
}

/** A change of a family's rollout: POSTs `path` and shows the family as it then is. */
const change =
  (path: string, body: (options: Record<string, string>) => object = () => ({})) =>
  async (ctx: Context, family: string, ...rest: unknown[]) => {
    const options = rest.find((r) => typeof r === 'object') as Record<string, string>;
    const version = rest.find((r) => typeof r === 'string') as string | undefined;
    const client = await ctx.client();
    const details = await client.request<FamilyDetails>(
      'POST',
      `/releases/${encodeURIComponent(family)}/${path}`,
      { json: { ...body(options), ...(version && { version }) } },
    );
    ctx.result(details, () => familyText(details));
  };

export function releaseCommands(program: Command): void {
  const release = program
    .command('release')
    .description('Release families: versions that take over a stable name site by site, in waves.');

  examples(
    release
      .command('publish')
      .description(
        'Publish a version into a family: a file or URL (uploaded first onto --to), or an image Glint knows (--image). ' +
          'It rolls out wave by wave and takes the stable name on each site once its wave is verified.',
      )
      .argument('<family>', 'the family’s key')
      .argument('[source]', 'a FILE or an http(s) URL')
      .option('--image <image>', 'an image Glint knows (name or id) instead of a file')
      // Not --version: the program's own option answers that anywhere on the line.
      .option(
        '-r, --release-version <version>',
        'the version (default: the build date, e.g. 20261206)',
      )
      .option('--property <key=value>', 'an SCS-0102 or other property (repeatable)', collect, [])
      .option('--to <site>', 'FILE|URL: the sites to upload to first (repeatable)', collect, [])
      .option('--name <name>', 'FILE|URL: the uploaded image’s name')
      .option('--disk-format <format>', 'FILE|URL: when the extension does not say it')
      .action(
        action(
          async (
            ctx: Context,
            family: string,
            source: string | undefined,
            options: PublishOptions,
          ) => {
            const image = await imageToPublish(ctx, source, options);
            const client = await ctx.client();
            const version = await client.request<ReleaseVersion>(
              'POST',
              `/releases/${encodeURIComponent(family)}/versions`,
              {
                json: {
                  image,
                  ...(options.releaseVersion && { version: options.releaseVersion }),
                  properties: pairsOf(options.property),
                },
              },
            );
            ctx.result(
              version,
              () => `Published ${family} ${version.version}: ${siteStates(version)}`,
            );
          },
        ),
      ),
    [
      'glint release publish ubuntu-24.04 --image ubuntu-24.04-20261206 --property image_original_user=ubuntu',
      'glint release publish atlas-worker atlas.qcow2 --to cern --release-version 2.3.1',
    ],
  );

  release
    .command('list')
    .alias('ls')
    .description('Your release families.')
    .action(
      action(async (ctx: Context) => {
        const { families } = await (
          await ctx.client()
        ).request<ReleaseFamilies>('GET', '/releases');
        ctx.result(families, () =>
          renderTable(
            ['FAMILY', 'STABLE NAME', 'FOLLOWS', 'KEEP'],
            families.map((f) => [
              f.name,
              f.stableName,
              f.follows,
              f.keepMode === 'last' ? `last ${f.keepLast}` : f.keepMode,
            ]),
          ),
        );
      }),
    );

  release
    .command('show')
    .description('A family: its channels, waves and each version’s state on each site.')
    .argument('<family>')
    .action(
      action(async (ctx: Context, family: string) => {
        const details = await (
          await ctx.client()
        ).request<FamilyDetails>('GET', `/releases/${encodeURIComponent(family)}`);
        ctx.result(details, () => familyText(details));
      }),
    );

  release
    .command('promote')
    .description('Point a channel (the one the stable name follows, by default) at a version.')
    .argument('<family>')
    .argument('<version>')
    .option('--channel <channel>', 'the channel to move')
    .action(action(change('promote', (o) => (o.channel ? { channel: o.channel } : {}))));

  release
    .command('rollback')
    .description(
      'Point the channel back at its previous version: names swap back, no byte is copied.',
    )
    .argument('<family>')
    .option('--channel <channel>', 'the channel to move back')
    .action(action(change('rollback', (o) => (o.channel ? { channel: o.channel } : {}))));

  release
    .command('halt')
    .description('Stop the rollout where it is.')
    .argument('<family>')
    .option('--reason <text>', 'why, for the others')
    .action(action(change('halt', (o) => (o.reason ? { reason: o.reason } : {}))));

  release
    .command('resume')
    .description('Resume a halted rollout; failed copies are tried again.')
    .argument('<family>')
    .action(action(change('resume')));

  releaseAdminCommands(release);
}
