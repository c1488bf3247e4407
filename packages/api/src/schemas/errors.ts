import { Type, type Static } from '@fastify/type-provider-typebox';

/** Every error body: a stable code to branch on, a message for people, and details where they help. */
export const ErrorReply = Type.Object({
  error: Type.String({ description: 'A stable, snake_case code, e.g. site_login_rejected' }),
  message: Type.String({ description: 'What went wrong and what to do about it' }),
  details: Type.Optional(Type.Unknown()),
});
export type ErrorReply = Static<typeof ErrorReply>;

/** The error replies every route documents besides its own successes. */
export const errorReplies = {
  '4xx': ErrorReply,
  '5xx': ErrorReply,
};
