import { functionLengths, functionLineLimit, longFunctions, sourceFiles } from './function-length';

test(`no function of the packages' sources is over ${functionLineLimit} lines`, () => {
  expect(longFunctions().map(({ file, name, lines }) => `${file} ${name}: ${lines} lines`)).toEqual(
    [],
  );
});

test('the scan sees every package and counts a function from its first line to its last', () => {
  const files = sourceFiles();
  for (const name of ['api', 'cli', 'cloud-adapters', 'core', 'daemon', 'panel', 'store'])
    expect(files.some((file) => file.includes(`/packages/${name}/src/`))).toBe(true);
  const own = functionLengths(__dirname + '/function-length.ts');
  expect(own.find((found) => found.name === 'walk')).toMatchObject({ lines: 11 });
  expect(own.find((found) => found.name === 'functionLengths')?.lines).toBeGreaterThan(11);
  // A limit of 0 finds every function: the scan does report long ones.
  expect(longFunctions(0).length).toBeGreaterThan(100);
});
