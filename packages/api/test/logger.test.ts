import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { loggerOptions } from '../src/logger';

test('secrets are redacted wherever a logged object carries them', async () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const server = Fastify({ logger: { ...loggerOptions('info'), stream } });
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
