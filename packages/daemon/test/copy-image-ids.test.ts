import { copyImageId } from '../src/copy-image-ids';

const jobImageId = '0b5a3a4e-7c1d-4f7e-9a55-2d7f0c9b1e11';

test('the first copy takes the job’s id; later ones ids derived from it, the same on every daemon', () => {
  expect(copyImageId(jobImageId, 0)).toBe(jobImageId);
  const ids = [1, 2, 3].map((n) => copyImageId(jobImageId, n));
  expect(new Set([jobImageId, ...ids]).size).toBe(4);
  expect([1, 2, 3].map((n) => copyImageId(jobImageId, n))).toEqual(ids);
  for (const id of ids)
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});
