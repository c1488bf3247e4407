import { Type } from '@fastify/type-provider-typebox';

export const Health = Type.Object({ status: Type.Literal('ok') });

export const Readiness = Type.Object({
  ready: Type.Boolean({ description: 'Whether every dependency answered' }),
  checks: Type.Record(Type.String(), Type.String(), {
    description: 'Each dependency (postgres, migrations, redis, queue): ok, or what failed',
  }),
});
