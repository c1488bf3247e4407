import {
  Type,
  type FastifyPluginAsyncTypebox,
  type Static,
  type TSchema,
} from '@fastify/type-provider-typebox';
import { projectCallerOf } from '../../../plugins/app/authorization';
import { errorReplies } from '../../../schemas/errors';
import {
  CloudsYamlSiteBody,
  CreatedSite,
  CreateSiteBody,
  OpenrcSiteBody,
  RefreshesQueued,
  RefreshQueued,
  Site,
  SiteHealth,
  SiteList,
  SiteParams,
  UpdateSiteBody,
} from '../../../schemas/sites';
import { siteFromCloudsYaml, siteFromOpenrc, type SiteFromFile } from '../../../site-files';

const tags = ['sites'];
const fileUpload = ['application/json', 'multipart/form-data'];
const loginChecked =
  'The credential is checked by a live login before anything is stored: a wrong password (site_login_rejected), ' +
  'an endpoint nobody answers at (site_unreachable) and a catalog without an image service (site_has_no_image_service) ' +
  'are each a 4xx, and nothing is saved.';

const sites: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/',
    {
      schema: {
        'x-glint-role': 'reader',
        tags,
        summary: 'Your project’s sites',
        response: { 200: SiteList, ...errorReplies },
      },
    },
    async (request) => ({ sites: await fastify.sites.list(projectCallerOf(request)) }),
  );

  fastify.post(
    '/',
    {
      schema: {
        'x-glint-role': 'admin',
        tags,
        summary: 'Add a site from explicit settings and a credential',
        description: loginChecked,
        body: CreateSiteBody,
        response: { 201: CreatedSite, ...errorReplies },
      },
    },
    async (request, reply) => {
      const site = await fastify.sites.create(projectCallerOf(request), request.body);
      return reply.code(201).send({ ...site, warnings: [] });
    },
  );

  /** A route adding a site from a configuration file, sent as JSON or as multipart/form-data. */
  function addFromFile<Body extends TSchema>(
    path: string,
    summary: string,
    fileParts: string,
    body: Body,
    read: (body: Static<Body>) => SiteFromFile,
  ): void {
    fastify.post(
      path,
      {
        schema: {
          'x-glint-role': 'admin',
          tags,
          summary,
          description: `JSON, or multipart/form-data with ${fileParts}. ${loginChecked}`,
          consumes: fileUpload,
          body,
          response: { 201: CreatedSite, ...errorReplies },
        },
      },
      async (request, reply) => {
        const { draft, warnings } = read(request.body as Static<Body>);
        const { labels } = request.body as { labels?: Record<string, string> };
        const site = await fastify.sites.create(projectCallerOf(request), { ...draft, labels });
        return reply.code(201).send({ ...site, warnings });
      },
    );
  }

  addFromFile(
    '/openrc',
    'Add an OpenStack site from an openrc file',
    'the file as the openrc part and the other fields as fields',
    OpenrcSiteBody,
    siteFromOpenrc,
  );
  addFromFile(
    '/clouds-yaml',
    'Add an OpenStack site from a clouds.yaml entry (and secure.yaml)',
    'cloudsYaml and secureYaml as file parts',
    CloudsYamlSiteBody,
    siteFromCloudsYaml,
  );

  fastify.get(
    '/:id',
    {
      schema: {
        'x-glint-role': 'reader',
        tags,
        summary: 'One of your project’s sites',
        params: SiteParams,
        response: { 200: Site, ...errorReplies },
      },
    },
    async (request) => fastify.sites.get(projectCallerOf(request), request.params.id),
  );

  fastify.patch(
    '/:id',
    {
      schema: {
        'x-glint-role': 'admin',
        tags,
        summary: 'Rename a site, or replace its settings or credential',
        description: `config replaces the settings whole. A new config or credential is checked as on creation. ${loginChecked}`,
        params: SiteParams,
        body: UpdateSiteBody,
        response: { 200: Site, ...errorReplies },
      },
    },
    async (request) =>
      fastify.sites.update(projectCallerOf(request), request.params.id, request.body),
  );

  fastify.delete(
    '/:id',
    {
      schema: {
        'x-glint-role': 'admin',
        tags,
        summary: 'Remove a site, with its credential, inventory and desired state',
        params: SiteParams,
        response: { 204: Type.Null(), ...errorReplies },
      },
    },
    async (request, reply) => {
      await fastify.sites.remove(projectCallerOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  fastify.get(
    '/:id/health',
    {
      schema: {
        'x-glint-role': 'reader',
        tags,
        summary: 'Check now that the site answers with its stored credential',
        params: SiteParams,
        response: { 200: SiteHealth, ...errorReplies },
      },
    },
    async (request) => ({
      ...(await fastify.sites.health(projectCallerOf(request), request.params.id)),
      checkedAt: new Date().toISOString(),
    }),
  );

  fastify.post(
    '/:id/refresh',
    {
      schema: {
        'x-glint-role': 'member',
        tags,
        summary: 'Queue an inventory of the site',
        description: 'While one waits or runs, another request queues nothing more.',
        params: SiteParams,
        response: { 202: RefreshQueued, ...errorReplies },
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send(await fastify.inventory.refresh(projectCallerOf(request), request.params.id)),
  );

  fastify.post(
    '/refresh',
    {
      schema: {
        'x-glint-role': 'member',
        tags,
        summary: 'Queue an inventory of each of your sites',
        response: { 202: RefreshesQueued, ...errorReplies },
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send({ queued: await fastify.inventory.refreshAll(projectCallerOf(request)) }),
  );
};

export default sites;
