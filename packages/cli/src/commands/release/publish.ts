import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import type { ReleaseVersion } from '@glint/api/replies';
import { action, collect, examples } from '../../command-kit';
import type { Context } from '../../context';
import { UsageError } from '../../errors';
import { resolveImage } from '../../resolve';
import { upload } from '../image/upload';
import { siteStates } from './family-text';
import { pairsOf } from './properties';

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

/** glint release publish: a new version of a family, rolled out in waves. */
export function releasePublishCommand(release: Command): void {
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
}
