import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { projectCallerOf } from '../../../plugins/app/authorization';
import {
  Account,
  AccountDetail,
  AccountList,
  AccountParams,
  CreateAccountBody,
  UpdateAccountBody,
} from '../../../schemas/accounts';
import { errorReplies } from '../../../schemas/errors';

const tags = ['accounts'];
const keysChecked =
  'The keys are checked live (STS GetCallerIdentity) and the regions against DescribeRegions before anything is stored: ' +
  'bad keys are 422 site_login_rejected, a region the account may not use 422 region_not_available.';

const accounts: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get(
    '/',
    {
      schema: {
        'x-glint-role': 'reader',
        tags,
        summary: 'Your EC2 accounts',
        response: { 200: AccountList, ...errorReplies },
      },
    },
    async (request) => ({ accounts: await fastify.accounts.list(projectCallerOf(request)) }),
  );

  fastify.post(
    '/',
    {
      schema: {
        'x-glint-role': 'admin',
        tags,
        summary: 'Add an EC2 account; each region enabled becomes a site',
        description: `Regions default to us-east-1. ${keysChecked}`,
        body: CreateAccountBody,
        response: { 201: Account, ...errorReplies },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await fastify.accounts.create(projectCallerOf(request), request.body)),
  );

  fastify.get(
    '/:id',
    {
      schema: {
        'x-glint-role': 'reader',
        tags,
        summary:
          'One account, with every region AWS lists for it (asked live) and which are enabled',
        params: AccountParams,
        response: { 200: AccountDetail, ...errorReplies },
      },
    },
    async (request) => fastify.accounts.detail(projectCallerOf(request), request.params.id),
  );

  fastify.patch(
    '/:id',
    {
      schema: {
        'x-glint-role': 'admin',
        tags,
        summary: 'Rename the account, change its keys or settings, or the regions enabled',
        description: `regions replaces the enabled regions whole (at least one; remove the account instead). A region left out is removed with its inventory and desired state. ${keysChecked}`,
        params: AccountParams,
        body: UpdateAccountBody,
        response: { 200: Account, ...errorReplies },
      },
    },
    async (request) =>
      fastify.accounts.update(projectCallerOf(request), request.params.id, request.body),
  );

  fastify.delete(
    '/:id',
    {
      schema: {
        'x-glint-role': 'admin',
        tags,
        summary: 'Remove the account with every region’s site (images in AWS stay)',
        params: AccountParams,
        response: { 204: Type.Null(), ...errorReplies },
      },
    },
    async (request, reply) => {
      await fastify.accounts.remove(projectCallerOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
};

export default accounts;
