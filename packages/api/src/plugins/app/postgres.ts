import fp from 'fastify-plugin';
import { Pool } from 'pg';
import type { AppOptions } from '../../app';
import { runMigrations } from '@glint/store';

declare module 'fastify' {
  interface FastifyInstance {
    pg: Pool;
  }
}

export default fp<AppOptions>(
  async (fastify, opts) => {
    const { databaseUrl, migrateOnStart } = opts.config;
    if (migrateOnStart) {
      const applied = await runMigrations(databaseUrl, (message) => fastify.log.debug(message));
      fastify.log.info({ applied }, 'database migrated');
    }
    const pool = new Pool({ connectionString: databaseUrl });
    // An idle client losing its connection must not take the process down; the pool replaces it.
    pool.on('error', (error) =>
      fastify.log.error({ err: error }, 'idle PostgreSQL connection failed'),
    );
    await pool.query('SELECT 1');
    fastify.decorate('pg', pool);
    fastify.addHook('onClose', () => pool.end());
  },
  { name: 'postgres' },
);
