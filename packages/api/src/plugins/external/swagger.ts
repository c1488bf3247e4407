import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { sessionCookie } from '../app/authentication';

/** The OpenAPI document of every route, from their schemas, and its browser at /docs. */
export default fp(
  async (fastify) => {
    await fastify.register(fastifySwagger, {
      openapi: {
        info: {
          title: 'Glint API',
          version: '1',
          description:
            'Keeps virtual-machine images where they must be across OpenStack clouds. Log in with POST /api/v1/auth/login ' +
            '(a cookie session; send its CSRF token as X-CSRF-Token on POST, PATCH, PUT and DELETE), or send a Keystone ' +
            'token on every request. Errors are { error, message, details? }.',
        },
        components: {
          securitySchemes: {
            session: { type: 'apiKey', in: 'cookie', name: sessionCookie },
            keystoneToken: { type: 'apiKey', in: 'header', name: 'X-Auth-Token' },
            bearer: { type: 'http', scheme: 'bearer', description: 'A Keystone token' },
          },
        },
        security: [{ session: [] }, { keystoneToken: [] }, { bearer: [] }],
      },
    });
    await fastify.register(fastifySwaggerUi, { routePrefix: '/docs' });
  },
  { name: 'swagger' },
);
