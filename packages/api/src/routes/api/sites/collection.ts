import type { FastifyPluginAsyncTypebox, Static, TSchema } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { projectCallerOf } from '../../../plugins/app/authorization';
import { errorReplies } from '../../../schemas/errors';
import {
  CloudsYamlSiteBody,
  CreatedSite,
  CreateSiteBody,
  OpenrcSiteBody,
  SiteList,
} from '../../../schemas/sites';
import { siteFromCloudsYaml, siteFromOpenrc, type SiteFromFile } from '../../../site-files';
import { loginChecked, siteTags } from '../../../site-route-docs';

const fileUpload = ['application/json', 'multipart/form-data'];

/** A route adding a site from a configuration file, sent as JSON or as multipart/form-data. */
function addFromFile<Body extends TSchema>(
  fastify: FastifyInstance,
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
        tags: siteTags,
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

/** The project's sites: the list, and a site added from settings or from a configuration file. */
const siteCollection: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/',
    {
      schema: {
        'x-glint-role': 'reader',
        tags: siteTags,
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
        tags: siteTags,
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

  addFromFile(
    fastify,
    '/openrc',
    'Add an OpenStack site from an openrc file',
    'the file as the openrc part and the other fields as fields',
    OpenrcSiteBody,
    siteFromOpenrc,
  );
  addFromFile(
    fastify,
    '/clouds-yaml',
    'Add an OpenStack site from a clouds.yaml entry (and secure.yaml)',
    'cloudsYaml and secureYaml as file parts',
    CloudsYamlSiteBody,
    siteFromCloudsYaml,
  );
};

export default siteCollection;
