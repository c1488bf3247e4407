import fp from 'fastify-plugin';
import { repositoriesOn, withTransaction, type Repositories } from '@glint/store';

declare module 'fastify' {
  interface FastifyInstance {
    repositories: Repositories;
    /** Runs `work` with repositories on one connection inside a transaction, committed if `work` succeeds. */
    transaction<T>(work: (repositories: Repositories) => Promise<T>): Promise<T>;
  }
}

export default fp(
  async (fastify) => {
    fastify.decorate('repositories', repositoriesOn(fastify.pg));
    fastify.decorate(
      'transaction',
      <T>(work: (repositories: Repositories) => Promise<T>): Promise<T> =>
        withTransaction(fastify.pg, work),
    );
  },
  { name: 'repositories', dependencies: ['postgres'] },
);
