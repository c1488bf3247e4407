import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { loggerOptions } from '../src/logger';
import { siteSecretFields } from '@glint/cloud-adapters';

/** A server logging as the API does, into `lines`. */
function loggingServer(): { server: FastifyInstance; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { server: Fastify({ logger: { ...loggerOptions('info'), stream } }), lines };
}

test('secrets are redacted wherever a logged object carries them', async () => {
  const { server, lines } = loggingServer();
  server.log.info(
    {
      password: 'p1',
      body: { credential: { secret: 's2' } },
      headers: { 'x-auth-token': 't3', cookie: 'c4' },
    },
    'logged',
  );
  server.log.info({ login: { applicationCredentialSecret: 's5', username: 'demo' } }, 'logged');
  await server.close();
  const text = lines.join('');
  for (const secret of ['p1', 's2', 't3', 'c4', 's5']) expect(text).not.toContain(`"${secret}"`);
  expect(text).toContain('"username":"demo"');
  expect(text).toContain('[redacted]');
});

test("every site type's secret credential fields are redacted, EC2's keys included", async () => {
  const { server, lines } = loggingServer();
  const credential = {
    kind: 'ec2_keys',
    accessKeyId: 'AKIAEXAMPLE',
    secretAccessKey: 'k6',
    sessionToken: 't7',
  };
  server.log.info({ body: { credential } }, 'logged');
  server.log.info({ credential }, 'logged');
  for (const field of siteSecretFields())
    server.log.info({ [field]: `value-of-${field}` }, 'logged');
  await server.close();
  const text = lines.join('');
  for (const secret of ['k6', 't7', ...siteSecretFields().map((field) => `value-of-${field}`)])
    expect(text).not.toContain(`"${secret}"`);
  expect(siteSecretFields()).toEqual(expect.arrayContaining(['secretAccessKey', 'sessionToken']));
  expect(text).toContain('"accessKeyId":"AKIAEXAMPLE"');
});
