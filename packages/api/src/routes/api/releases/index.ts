import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { projectCallerOf } from '../../../plugins/app/authorization';
import { notFound } from '../../../errors';
import { errorReplies } from '../../../schemas/errors';
import {
  ChannelBody,
  Families,
  Family,
  FamilyBody,
  FamilyChanges,
  FamilyDetails,
  FamilyParams,
  HaltBody,
  PromoteBody,
  PublishBody,
  Version,
} from '../../../schemas/releases';

const tags = ['releases'];

/**
 * Release families and their versions. As OpenStack splits it: readers see, members publish and
 * move a rollout (promote, roll back, halt, resume), admins set a family's policies.
 */
const releases: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/',
    {
      schema: {
        'x-glint-role': 'reader',
        tags,
        summary: 'The project’s release families',
        response: { 200: Families, ...errorReplies },
      },
    },
    async (request) => ({
      families: await fastify.repositories.releases.families(projectCallerOf(request).ownerId),
    }),
  );

  fastify.post(
    '/',
    {
      schema: {
        'x-glint-role': 'admin',
        tags,
        summary: 'Make a release family: its stable name, target sites, waves and retention',
        body: FamilyBody,
        response: { 201: Family, ...errorReplies },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await fastify.releases.createFamily(projectCallerOf(request), request.body)),
  );

  fastify.get(
    '/:family',
    {
      schema: {
        'x-glint-role': 'reader',
        tags,
        summary: 'A family: its channels, waves, and each version’s state on each site',
        params: FamilyParams,
        response: { 200: FamilyDetails, ...errorReplies },
      },
    },
    async (request) =>
      fastify.releases.details(projectCallerOf(request).ownerId, request.params.family),
  );

  fastify.patch(
    '/:family',
    {
      schema: {
        'x-glint-role': 'admin',
        tags,
        summary: 'Change a family’s policies; what the body leaves out stays',
        params: FamilyParams,
        body: FamilyChanges,
        response: { 200: Family, ...errorReplies },
      },
    },
    async (request) => {
      const { ownerId } = projectCallerOf(request);
      const family = await fastify.repositories.releases.family(ownerId, request.params.family);
      if (!family) throw notFound('release_family', request.params.family);
      return (await fastify.repositories.releases.updateFamily(ownerId, family.id, request.body))!;
    },
  );

  fastify.delete(
    '/:family',
    {
      schema: {
        'x-glint-role': 'admin',
        tags,
        summary: 'Forget a family and its versions; the images stay on the sites as they are',
        params: FamilyParams,
        response: { 204: Type.Null(), ...errorReplies },
      },
    },
    async (request, reply) => {
      const { ownerId } = projectCallerOf(request);
      const family = await fastify.repositories.releases.family(ownerId, request.params.family);
      if (!family || !(await fastify.repositories.releases.removeFamily(ownerId, family.id)))
        throw notFound('release_family', request.params.family);
      return reply.code(204).send(null);
    },
  );

  fastify.post(
    '/:family/versions',
    {
      schema: {
        'x-glint-role': 'member',
        tags,
        summary: 'Publish an image as the family’s newest version; it rolls out in waves',
        description:
          'The image is a logical image Glint knows (upload or import it first). Its SCS-0102 provenance ' +
          '(image_build_date, image_original_user, image_source) and the family’s required properties are checked; ' +
          'a missing one is refused with release_properties_missing, naming each in details.missing.',
        params: FamilyParams,
        body: PublishBody,
        response: { 201: Version, ...errorReplies },
      },
    },
    async (request, reply) => {
      const caller = projectCallerOf(request);
      const published = await fastify.releases.publish(caller, request.params.family, request.body);
      const details = await fastify.releases.details(caller.ownerId, request.params.family);
      return reply.code(201).send(details.versions.find((v) => v.id === published.id)!);
    },
  );

  const memberChange = (summary: string) => ({
    'x-glint-role': 'member' as const,
    tags,
    summary,
    params: FamilyParams,
    response: { 200: FamilyDetails, ...errorReplies },
  });

  fastify.post(
    '/:family/promote',
    {
      schema: {
        ...memberChange(
          'Point a channel (the one the stable name follows, by default) at a version',
        ),
        body: PromoteBody,
      },
    },
    async (request) =>
      fastify.releases.promote(
        projectCallerOf(request),
        request.params.family,
        request.body.version,
        request.body.channel,
      ),
  );

  fastify.post(
    '/:family/rollback',
    {
      schema: {
        ...memberChange(
          'Point a channel back at its previous version: names swap back on every site, no byte copied',
        ),
        body: ChannelBody,
      },
    },
    async (request) =>
      fastify.releases.rollback(
        projectCallerOf(request),
        request.params.family,
        request.body.channel,
      ),
  );

  fastify.post(
    '/:family/halt',
    {
      schema: {
        ...memberChange('Stop the rollout where it is; no site switches until resumed'),
        body: HaltBody,
      },
    },
    async (request) =>
      fastify.releases.control(
        projectCallerOf(request),
        request.params.family,
        'halt',
        request.body.reason,
      ),
  );

  fastify.post(
    '/:family/resume',
    { schema: memberChange('Resume a halted rollout; copies that failed are tried again') },
    async (request) =>
      fastify.releases.control(projectCallerOf(request), request.params.family, 'resume'),
  );

  fastify.post(
    '/:family/waves/next',
    { schema: memberChange('Let the next wave start (families whose waves wait for a person)') },
    async (request) =>
      fastify.releases.control(projectCallerOf(request), request.params.family, 'next-wave'),
  );
};

export default releases;
