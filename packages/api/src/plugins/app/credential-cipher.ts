import fp from 'fastify-plugin';
import { CredentialCipher } from '@glint/store';
import type { AppOptions } from '../../app';

declare module 'fastify' {
  interface FastifyInstance {
    credentialCipher: CredentialCipher;
  }
}

export default fp<AppOptions>(
  async (fastify, opts) => {
    fastify.decorate('credentialCipher', new CredentialCipher(opts.config.credentialKeys));
  },
  { name: 'credential-cipher' },
);
