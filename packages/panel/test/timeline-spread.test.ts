import { spread } from '../src/releases/release-timeline/release-timeline';

test('points far apart keep their places', () => {
  expect(spread([300, 100, 500], 0, 640)).toEqual([300, 100, 500]);
});

test('points close together are pushed apart in their order, the gap kept', () => {
  expect(spread([200, 201, 199], 0, 640)).toEqual([263, 327, 199]);
});

test('points crowding the end are pulled back inside, still in order', () => {
  expect(spread([600, 600], 0, 620)).toEqual([556, 620]);
});
