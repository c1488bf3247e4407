import { pagesOf, visibleRange } from '../src/matrix/virtual-window';

test('only the rows (or columns) in view and a few either side are drawn', () => {
  expect(visibleRange(0, 440, 44, 2000, 8)).toEqual({ first: 0, end: 18 });
  expect(visibleRange(44 * 1000, 440, 44, 2000, 8)).toEqual({ first: 992, end: 1018 });
});

test('the window stops at the ends of the list', () => {
  expect(visibleRange(44 * 1995, 440, 44, 2000, 8)).toEqual({ first: 1987, end: 2000 });
  expect(visibleRange(0, 440, 44, 3, 8)).toEqual({ first: 0, end: 3 });
  expect(visibleRange(500, 440, 44, 0, 8)).toEqual({ first: 0, end: 0 });
});

test('the pages a window needs, by offset', () => {
  expect(pagesOf({ first: 92, end: 118 }, 100)).toEqual([0, 100]);
  expect(pagesOf({ first: 0, end: 18 }, 100)).toEqual([0]);
  expect(pagesOf({ first: 0, end: 0 }, 100)).toEqual([]);
});
