import fp from 'fastify-plugin';
import { CredentialVault } from '@glint/store';
import type { AppOptions } from '../../app';

declare module 'fastify' {
  interface FastifyInstance {
    credentialVault: CredentialVault;
  }
}

export default fp<AppOptions>(
  async (fastify, opts) => {
    fastify.decorate('credentialVault', new CredentialVault(opts.config.credentialKeys));
  },
  { name: 'credential-vault' },
);
