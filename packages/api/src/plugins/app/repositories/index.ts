import fp from 'fastify-plugin';
import type { Pool } from 'pg';
import { auditRepository } from './audit';
import { credentialsRepository } from './credentials';
import { sitesRepository } from './sites';
import { usersRepository } from './users';

/** The pool, or one client of it inside a transaction. */
export type Queryable = Pick<Pool, 'query'>;

export function repositoriesOn(db: Queryable) {
  return {
    users: usersRepository(db),
    sites: sitesRepository(db),
    credentials: credentialsRepository(db),
    audit: auditRepository(db),
  };
}

export type Repositories = ReturnType<typeof repositoriesOn>;

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
      async <T>(work: (repositories: Repositories) => Promise<T>): Promise<T> => {
        const client = await fastify.pg.connect();
        try {
          await client.query('BEGIN');
          const result = await work(repositoriesOn(client));
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        } finally {
          client.release();
        }
      },
    );
  },
  { name: 'repositories', dependencies: ['postgres'] },
);
