// Integration tests run against real services. Fail once, up front, with the command that fixes it,
// rather than letting every test time out on a connection error.
const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const sandboxDir = process.env.GLINT_SANDBOX_DIR ?? '/var/tmp/glint-sandbox';

async function answers(url) {
  try {
    await fetch(url, { signal: AbortSignal.timeout(5000) });
    return true;
  } catch {
    return false;
  }
}

module.exports = async function integrationSetup() {
  // The API serves the panel's bundle, and the browser tests load it: build it from the sources.
  execFileSync('npm', ['run', '--silent', 'build', '-w', '@glint/panel'], {
    cwd: join(__dirname, '..'),
    stdio: 'pipe',
  });
  let clouds;
  try {
    clouds = JSON.parse(readFileSync(join(sandboxDir, 'clouds.json'), 'utf8')).clouds;
  } catch {
    throw new Error(
      `the OpenStack sandbox is not set up in ${sandboxDir}: run bash deploy/sandbox/glint-sandbox start`,
    );
  }
  const down = [];
  for (const cloud of clouds) {
    if (!(await answers(cloud.authUrl))) down.push(`${cloud.name} Keystone ${cloud.authUrl}`);
    if (!(await answers(cloud.glanceUrl))) down.push(`${cloud.name} Glance ${cloud.glanceUrl}`);
  }
  if (down.length > 0) {
    throw new Error(
      `sandbox services are down (${down.join(', ')}): run bash deploy/sandbox/glint-sandbox start`,
    );
  }
};
