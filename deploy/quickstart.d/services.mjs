// The quickstart's checks of the services it uses, with messages saying what is wrong:
//   node services.mjs database URL     the database exists (created when the server lets us)
//   node services.mjs redis URL        Redis answers PING; warns when it would lose its data
//   node services.mjs wait URL SECONDS the URL answers 200 within SECONDS
import pg from 'pg';
import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { URL } from 'node:url';

const [command, target, seconds] = process.argv.slice(2);
const fail = (message) => {
  console.error(`quickstart: error: ${message}`);
  process.exit(1);
};
/** The URL without its password, for messages. */
const shown = (url) => url.replace(/^([a-z]+:\/\/[^/:@]*:)[^/@]*@/i, '$1***@');

async function database(url) {
  const probe = new pg.Client({ connectionString: url });
  try {
    await probe.connect();
    return;
  } catch (error) {
    // 3D000: the server answers, the database does not exist yet.
    if (error.code !== '3D000') fail(`PostgreSQL at ${shown(url)} refused: ${error.message}`);
  } finally {
    await probe.end().catch(() => {});
  }
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: maintenance.toString() });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
    console.log(`quickstart: created the database ${name}`);
  } catch (error) {
    fail(
      `the database ${name} does not exist and could not be created (${error.message}); ` +
        `create it (createdb ${name}) or give a user with CREATEDB in GLINT_DATABASE_URL`,
    );
  } finally {
    await admin.end().catch(() => {});
  }
}

async function redis(url) {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: null,
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    fail(`Redis at ${shown(url)} does not answer: ${error.message}`);
  }
  // Built by the quickstart's first step; the API and the daemon say the same when they start.
  const { redisPersistenceWarnings } = await import('@glint/core');
  try {
    for (const warning of await redisPersistenceWarnings(client))
      console.error(`quickstart: warning: ${warning}`);
  } finally {
    client.disconnect();
  }
}

async function wait(url, limitSeconds) {
  const deadline = Date.now() + limitSeconds * 1000;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error.cause?.code ?? error.message;
    }
    await sleep(500);
  }
  fail(`${url} did not answer 200 within ${limitSeconds} s (last: ${last})`);
}

const commands = { database, redis, wait: (url) => wait(url, Number(seconds ?? 60)) };
if (!commands[command]) fail(`unknown check "${command}"`);
await commands[command](target);
