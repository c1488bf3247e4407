import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../../errors';
import { authOf } from '../../../plugins/app/authentication';

/** Admin routes list every user's objects: only for callers whose Keystone roles make them admins. */
export default async function adminsOnly(fastify: FastifyInstance): Promise<void> {
  fastify.addHook('preHandler', async (request) => {
    if (!authOf(request).caller.isAdmin)
      throw new ApiError(
        403,
        'admin_required',
        'this route is for Glint admins (GLINT_ADMIN_ROLES)',
      );
  });
}
