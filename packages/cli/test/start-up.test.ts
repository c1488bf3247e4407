/**
 * Every glint command pays for what the program loads before it runs. TypeBox (ESM, loaded through
 * require), Ajv, yaml and @glint/cloud-adapters took most of a half-second start: only the commands
 * that read files or OpenStack credentials load them, when they run. This keeps it so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// @glint/core's index loads TypeBox, BullMQ and more: the CLI needs only @glint/core/client.
const heavy = ['typebox', 'ajv', 'yaml', '@glint/cloud-adapters', '@glint/core'];

/** The heavy modules `load` (and its promise, until settled) requires, in a fresh registry. */
async function heavyLoadedBy(load: () => unknown): Promise<string[]> {
  const loaded: string[] = [];
  await jest.isolateModulesAsync(async () => {
    for (const name of heavy)
      jest.doMock(name, () => {
        loaded.push(name);
        return jest.requireActual(name);
      });
    await load();
  });
  return loaded;
}

type Program = typeof import('../src/program');
const program = () => require('../src/program') as Program;

describe('starting glint', () => {
  // No session (an API command stops at "not logged in", after its action ran) and no OpenStack
  // credentials (login stops once it has looked for them).
  const saved = { ...process.env };
  beforeAll(() => {
    process.env.GLINT_CONFIG_DIR = mkdtempSync(join(tmpdir(), 'glint-start-'));
    delete process.env.OS_AUTH_URL;
    delete process.env.OS_CLOUD;
  });
  afterAll(() => {
    rmSync(process.env.GLINT_CONFIG_DIR!, { recursive: true, force: true });
    process.env = saved;
  });

  /** What `glint argv` printed and returned, and the heavy modules it loaded. */
  async function glint(argv: string[]) {
    const result = { code: -1, output: '' };
    const loaded = await heavyLoadedBy(async () => {
      result.code = await program().run(argv, {
        writeOut: (text) => (result.output += text),
        writeErr: (text) => (result.output += text),
      });
    });
    return { ...result, loaded };
  }

  test('the program, --version, --help and the API commands load none of them', async () => {
    expect(await heavyLoadedBy(() => program().createProgram())).toEqual([]);
    const { version } = require('../package.json') as { version: string };
    expect(await glint(['--version'])).toEqual({ code: 0, output: `${version}\n`, loaded: [] });
    expect(await glint(['--help'])).toMatchObject({ code: 0, loaded: [] });
    for (const argv of [
      ['place', 'cirros', '--on', 'west', '--wait'],
      ['site', 'list'],
      ['jobs'],
      ['release', 'list'],
    ])
      expect({ argv, ...(await glint(argv)) }).toEqual({
        argv,
        code: 1,
        output: 'glint: not logged in: run glint login first\n',
        loaded: [],
      });
  });

  test('the commands reading files or OpenStack credentials load them as they run', async () => {
    const placements = join(__dirname, '..', '..', '..', 'examples', 'placements.yaml');
    expect(await glint(['plan', '-f', placements])).toEqual({
      code: 1,
      output: 'glint: not logged in: run glint login first\n',
      loaded: expect.arrayContaining(['typebox', 'ajv', 'yaml']),
    });
    expect(await glint(['login', '--api', 'http://127.0.0.1:1'])).toMatchObject({
      code: 2,
      output: expect.stringMatching(/no OpenStack credentials/),
      loaded: expect.arrayContaining(['@glint/cloud-adapters']),
    });
  });
});
