// Registers the sandbox's clouds 1 and 2 as sites of its demo user, takes their inventories, and
// puts a small image on cloud 1, so a new user can try a transfer at once. Reuses what is there.
//   node demo-sites.mjs API_BASE CLOUDS_JSON      (API_BASE: http://127.0.0.1:8080/api/v1)
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { URLSearchParams } from 'node:url';

const [apiBase, manifest] = process.argv.slice(2);
const clouds = JSON.parse(readFileSync(manifest, 'utf8')).clouds;
const demoImage = { name: 'glint-demo', bytes: 8 * 1024 * 1024 };
const fail = (message) => {
  console.error(`quickstart: error: ${message}`);
  process.exit(1);
};

let cookie = '';
let csrfToken = '';
async function call(method, path, body, contentType = 'application/json') {
  const response = await fetch(`${apiBase}${path}`, {
    method,
    headers: {
      cookie,
      ...(csrfToken && { 'x-csrf-token': csrfToken }),
      ...(body !== undefined && { 'content-type': contentType }),
    },
    body: contentType === 'application/json' && body !== undefined ? JSON.stringify(body) : body,
  });
  const reply = await response.json().catch(() => ({}));
  if (!response.ok)
    fail(
      `${method} ${path} answered ${response.status}: ${reply.message ?? JSON.stringify(reply)}`,
    );
  const cookies = response.headers.getSetCookie().map((c) => c.split(';')[0]);
  if (cookies.length > 0) cookie = [cookie, ...cookies].filter(Boolean).join('; ');
  return reply;
}

const home = clouds.find((cloud) => cloud.index === 1).users.demo;
({ csrfToken } = await call('POST', '/auth/login', {
  username: home.username,
  password: home.password,
  project: home.projectName,
}));

const { sites } = await call('GET', '/sites');
const siteIds = [];
for (const cloud of clouds.filter((c) => c.index <= 2)) {
  const name = `sandbox-${cloud.name}`;
  const existing = sites.find((site) => site.name === name);
  if (existing) {
    siteIds.push(existing.id);
    continue;
  }
  const user = cloud.users.demo;
  const site = await call('POST', '/sites', {
    type: 'openstack',
    name,
    config: {
      authUrl: cloud.authUrl,
      region: cloud.region,
      projectName: user.projectName,
      userDomainName: user.userDomainName,
      projectDomainName: user.projectDomainName,
    },
    credential: { kind: 'password', username: user.username, password: user.password },
  });
  console.log(`quickstart: registered ${name} for the demo user`);
  siteIds.push(site.id);
}

// An earlier quickstart (with another database) may have put the demo image on cloud 1 already: take
// the inventories first, so the matrix knows it, and upload it only when it is not there.
await call('POST', '/sites/refresh');
for (const deadline = Date.now() + 60_000; ; await sleep(500)) {
  const { sites: listed } = await call('GET', '/sites');
  if (siteIds.every((id) => listed.find((site) => site.id === id)?.inventoriedAt)) break;
  if (Date.now() > deadline)
    fail('the inventories of the sandbox clouds did not finish within 60 s; see the daemon log');
}
const matrix = await call('GET', `/matrix?name=${demoImage.name}`);
if (!matrix.rows.some((row) => row.name === demoImage.name)) {
  const query = new URLSearchParams({
    site: siteIds[0],
    name: demoImage.name,
    diskFormat: 'raw',
    size: String(demoImage.bytes),
  });
  await call(
    'POST',
    `/images/upload?${query}`,
    // The same bytes every time: a second quickstart finds the copy present instead of a conflict.
    Buffer.alloc(demoImage.bytes, 'glint demo image\n'),
    'application/octet-stream',
  );
  console.log(
    `quickstart: uploaded ${demoImage.name} (8 MiB) to sandbox-cloud1; copy it to cloud2 in the panel`,
  );
}
