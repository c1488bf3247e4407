import {
  LATEST_CHANNEL,
  missingProperties,
  versionFromDate,
  type PublishEvents,
  type ReleaseEvent,
} from '@glint/core';
import {
  copyJobsOf,
  familyNameConstraint,
  openCopiesOf,
  versionConstraints,
  wavesOf,
  type FamilyRecord,
  type Repositories,
  type RolloutFacts,
  type VersionRecord,
} from '@glint/store';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ProjectCaller } from '../../caller';
import { ApiError, notFound } from '../../errors';
import type { FamilyBody, FamilyDetails, PublishBody, Version } from '../../schemas/releases';
import { writingNamed } from '../../site-writes';
import { changeOf, type RolloutAction } from '../../release-actions';
import { previewOf } from '../../release-preview';

const familyTaken = (name: string) => () =>
  new ApiError(
    409,
    'family_name_taken',
    `a release family named ${name} exists: choose another name`,
  );

/** A site's state for one version, from what Glint did there and what the inventory holds. */
function siteStateOf(
  facts: RolloutFacts,
  version: VersionRecord,
  siteId: string,
): Version['sites'][number]['state'] {
  const stage = facts.stages.find((s) => s.versionId === version.id && s.siteId === siteId);
  if (stage) return stage.stage;
  if (facts.copies.some((c) => c.imageId === version.imageId && c.siteId === siteId && c.active))
    return 'present';
  const attempt = facts.attempts.find((a) => a.imageId === version.imageId && a.siteId === siteId);
  if (attempt?.state === 'failed') return 'failed';
  return attempt && ['queued', 'running'].includes(attempt.state) ? 'copying' : 'missing';
}

/**
 * Why the site has no copy of the version, when its last copy failed: a halt names it, but a
 * failure under the threshold halts nothing and would otherwise be told nowhere.
 */
const copyErrorOf = (facts: RolloutFacts, version: VersionRecord, siteId: string) =>
  facts.attempts.find(
    (a) => a.imageId === version.imageId && a.siteId === siteId && a.state === 'failed',
  )?.error ?? null;

/** Families, versions and channels, and the changes people make to a rollout. */
export class ReleaseService {
  constructor(private readonly fastify: FastifyInstance) {}

  private get repositories(): Repositories {
    return this.fastify.repositories;
  }

  private async facts(ownerId: string, idOrName: string): Promise<RolloutFacts> {
    const family = await this.repositories.releases.family(ownerId, idOrName);
    const facts = family && (await this.repositories.releases.rolloutFacts(ownerId, family.id));
    if (!facts) throw notFound('release_family', idOrName);
    return facts;
  }

  createFamily(caller: ProjectCaller, body: FamilyBody): Promise<FamilyRecord> {
    return writingNamed(this.fastify, [familyNameConstraint], familyTaken(body.name), (repos) =>
      repos.releases.createFamily(caller.ownerId, body),
    );
  }

  async details(ownerId: string, idOrName: string): Promise<FamilyDetails> {
    const facts = await this.facts(ownerId, idOrName);
    const waves = wavesOf(facts.family, facts.sites);
    const waveOf = (siteId: string) => waves.findIndex((wave) => wave.includes(siteId));
    const versionOf = (id: string | null) =>
      facts.versions.find((v) => v.id === id)?.version ?? null;
    return {
      family: facts.family,
      waves,
      channels: facts.channels.map((c) => ({
        name: c.name,
        versionId: c.versionId,
        version: versionOf(c.versionId)!,
        previousVersion: versionOf(c.previousVersionId),
        movedAt: c.movedAt,
      })),
      versions: facts.versions.map((v) => ({
        id: v.id,
        version: v.version,
        imageId: v.imageId,
        imageName: v.imageName,
        hash: v.hashAlgo && v.hashValue ? { algo: v.hashAlgo, value: v.hashValue } : null,
        provenance: v.provenance,
        publishedAt: v.publishedAt,
        channels: facts.channels.filter((c) => c.versionId === v.id).map((c) => c.name),
        wave: v.wave,
        haltedReason: v.haltedReason,
        retiredAt: v.retiredAt,
        sites: facts.sites
          .filter(
            (site) =>
              waveOf(site.id) >= 0 ||
              facts.stages.some((s) => s.siteId === site.id && s.versionId === v.id),
          )
          .map((site) => {
            const stage = facts.stages.find((s) => s.versionId === v.id && s.siteId === site.id);
            const copy = facts.copies.find((c) => c.imageId === v.imageId && c.siteId === site.id);
            const state = siteStateOf(facts, v, site.id);
            return {
              siteId: site.id,
              siteName: site.name,
              wave: waveOf(site.id),
              state,
              cloudImageId: stage?.cloudImageId ?? copy?.cloudImageId ?? null,
              error: state === 'failed' ? copyErrorOf(facts, v, site.id) : (stage?.error ?? null),
            };
          }),
      })),
    };
  }

  /**
   * Publishes a logical image as the family's newest version: its provenance is the SCS-0102
   * properties given, with the build date defaulting to today; refused, naming them, when a
   * property the family requires is in neither the family's nor the given ones.
   */
  async publish(
    caller: ProjectCaller,
    idOrName: string,
    body: PublishBody,
  ): Promise<VersionRecord> {
    const { family } = await this.facts(caller.ownerId, idOrName);
    const image = (await this.repositories.placements.facts(caller.ownerId, [body.image]))
      .images[0];
    if (!image) throw notFound('image', body.image);
    const [hashed] = await this.fastify
      .transaction((r) =>
        r.matrix.rows(caller.ownerId, { imageIds: [body.image], offset: 0, limit: 1 }),
      )
      .then((p) => p.rows);
    if (!hashed?.hashValue)
      throw new ApiError(
        400,
        'image_without_hash',
        `image ${image.name} has no content hash, which a version is known by: upload or import it through Glint, or copy it from a site that gives one`,
      );
    const provenance = {
      image_build_date: new Date().toISOString().slice(0, 10),
      image_source: 'private',
      ...body.properties,
    };
    const missing = missingProperties(family.requiredProperties, {
      ...family.properties,
      ...provenance,
    });
    if (missing.length > 0)
      throw new ApiError(
        400,
        'release_properties_missing',
        `version is missing required properties: ${missing.join(', ')}; give them with the version's properties (glint release publish --property KEY=VALUE) or set them on the family`,
        { missing },
      );
    const version = body.version ?? versionFromDate(new Date(provenance.image_build_date));
    const taken = () =>
      new ApiError(
        409,
        'version_taken',
        `family ${family.name} already has version ${version}, or already has this image as a version: give another version (glint release publish --release-version)`,
      );
    const versionId = await writingNamed(
      this.fastify,
      Object.values(versionConstraints),
      taken,
      async (repos) => {
        const id = await repos.releases.insertVersion(caller.ownerId, {
          familyId: family.id,
          version,
          imageId: body.image,
          provenance,
          publishedBy: caller.userId,
        });
        await repos.releases.moveChannel(
          caller.ownerId,
          family.id,
          LATEST_CHANNEL,
          id,
          caller.userId,
        );
        await repos.audit.record({
          ownerId: caller.ownerId,
          actorId: caller.userId,
          action: 'release.published',
          targetType: 'release_family',
          targetId: family.id,
          details: { version },
        });
        return id;
      },
    );
    await this.stepped(caller.ownerId, family, 'published', versionId, version);
    return (await this.repositories.releases.versions(caller.ownerId, family.id)).find(
      (v) => v.id === versionId,
    )!;
  }

  /**
   * Takes a person's action on the rollout: a channel moved (promote, rollback; the version it
   * then points at rolls out to every wave at once, unhalted, see release-actions), a halt, a
   * resume, the next wave let start. The daemon's next step carries it out; a halt cancels the
   * version's copies under way itself, once recorded, so that no step asks for them again.
   */
  async act(caller: ProjectCaller, idOrName: string, action: RolloutAction) {
    const facts = await this.facts(caller.ownerId, idOrName);
    const change = changeOf(facts, action, caller.name);
    const { family } = facts;
    const { version, channel, versionChanges } = change;
    await this.fastify.transaction(async (repos) => {
      if (channel !== null)
        await repos.releases.moveChannel(
          caller.ownerId,
          family.id,
          channel,
          version.id,
          caller.userId,
        );
      if (versionChanges)
        await repos.releases.updateVersion(caller.ownerId, version.id, versionChanges);
      await repos.audit.record({
        ownerId: caller.ownerId,
        actorId: caller.userId,
        action: change.audit,
        targetType: 'release_family',
        targetId: family.id,
        details: { ...(channel !== null && { channel }), version: version.version },
      });
    });
    if (change.action === 'halt') await this.cancelCopies(caller, family.id, version);
    const reason =
      change.action === 'halt' ? (versionChanges?.haltedReason ?? undefined) : undefined;
    await this.stepped(caller.ownerId, family, change.event, version.id, version.version, reason);
    return this.details(caller.ownerId, family.id);
  }

  /**
   * Cancels the halted version's copies under way (what the halt's plan names), as read once the
   * halt is recorded: a copy a daemon's step asked for just before it is among them (the step reads
   * the halt again with the version's row locked, and the halt's update waits for that lock), and
   * the cancel, kept in Redis, stops it even if the step puts it on the queue only after.
   */
  private async cancelCopies(caller: ProjectCaller, familyId: string, version: VersionRecord) {
    const facts = await this.facts(caller.ownerId, familyId);
    const copies = copyJobsOf(openCopiesOf(facts, version));
    await this.fastify.jobs.stop(caller.ownerId, caller.userId, copies);
  }

  /** What `act` would change on which site, with the same refusals; changes nothing. */
  async plan(caller: ProjectCaller, idOrName: string, action: RolloutAction) {
    const facts = await this.facts(caller.ownerId, idOrName);
    return previewOf(facts, changeOf(facts, action, caller.name), new Date());
  }

  /** Enqueues the family's next step now, and tells the project's clients what changed. */
  private async stepped(
    ownerId: string,
    family: FamilyRecord,
    action: ReleaseEvent['action'],
    versionId: string | null,
    version: string | null,
    reason?: string,
  ) {
    await this.fastify.queues.enqueue('release', [
      { id: `release-${family.id}`, payload: { version: 1, ownerId, familyId: family.id } },
    ]);
    const publish: PublishEvents = (owner, list) => this.fastify.events.publish(owner, list);
    await publish(ownerId, [
      {
        type: 'release',
        familyId: family.id,
        family: family.name,
        action,
        versionId,
        version,
        siteIds: [],
        ...(reason && { reason }),
      },
    ]);
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    releases: ReleaseService;
  }
}

export default fp(
  async (fastify) => {
    fastify.decorate('releases', new ReleaseService(fastify));
  },
  { name: 'releases', dependencies: ['repositories', 'queues', 'events', 'jobs'] },
);
