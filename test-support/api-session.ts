/** Logging in to an in-process API as the sandbox's demo user, for benchmarks. */
import type { FastifyInstance } from 'fastify';
import { sandboxCloud } from './sandbox';

export interface ApiSession {
  cookie: string;
  /** Headers for a state-changing request: the session cookie and its CSRF token. */
  headers: { cookie: string; 'x-csrf-token': string };
}

export async function loginAsDemo(server: FastifyInstance): Promise<ApiSession> {
  const demo = sandboxCloud(1).users.demo;
  const response = await server.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: demo.username, password: demo.password, project: demo.projectName },
  });
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.body}`);
  const cookie = response.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const { csrfToken } = response.json<{ csrfToken: string }>();
  return { cookie, headers: { cookie, 'x-csrf-token': csrfToken } };
}
