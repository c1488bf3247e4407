import { Type, type Static } from '@fastify/type-provider-typebox';
import { Name, Secret } from './common';
import { Me } from './me';

const domain = 'Keystone domain name; Default when not given';

const PasswordLogin = Type.Object(
  {
    username: Name(),
    password: Secret("The user's Keystone password"),
    userDomain: Type.Optional(Name(domain)),
    project: Type.Optional(Name('Project name to scope the login to')),
    projectDomain: Type.Optional(Name("The project's domain; the user's domain when not given")),
  },
  { additionalProperties: false, title: 'Password' },
);

const ApplicationCredentialLogin = Type.Object(
  {
    applicationCredentialId: Type.Optional(Name()),
    applicationCredentialName: Type.Optional(
      Name('With username (and userDomain): the credential by name'),
    ),
    username: Type.Optional(Name()),
    userDomain: Type.Optional(Name(domain)),
    applicationCredentialSecret: Secret("The application credential's secret"),
  },
  { additionalProperties: false, title: 'Application credential' },
);

export const LoginBody = Type.Union([PasswordLogin, ApplicationCredentialLogin]);
export type LoginBody = Static<typeof LoginBody>;

export const CsrfReply = Type.Object({
  csrfToken: Type.String({
    description: 'Send it as X-CSRF-Token on every POST, PATCH, PUT and DELETE of this session',
  }),
});

export const LoginReply = Type.Object({ user: Me, csrfToken: CsrfReply.properties.csrfToken });

export const SessionReply = Type.Union([
  Type.Object({ authenticated: Type.Literal(false) }),
  Type.Object({
    authenticated: Type.Literal(true),
    user: Me,
    csrfToken: CsrfReply.properties.csrfToken,
  }),
]);

export const ProjectList = Type.Object({
  projects: Type.Array(
    Type.Object({
      id: Type.String({ description: "Keystone's id of the project" }),
      name: Type.String(),
      domainId: Type.String(),
      current: Type.Boolean({ description: 'The project this session or token is scoped to' }),
    }),
  ),
});

export const SwitchProjectBody = Type.Object(
  { project: Name("Keystone's id of the project to switch to") },
  { additionalProperties: false },
);
