/**
 * Which items of a long scrolled list need to be in the DOM: those in view, and a few either side.
 * The matrix uses it twice: for its rows, and for its site columns.
 */

export interface Range {
  /** First index to render. */
  first: number;
  /** One past the last index to render. */
  end: number;
}

export function visibleRange(
  scroll: number,
  viewport: number,
  itemSize: number,
  total: number,
  overscan = 8,
): Range {
  const first = Math.min(total, Math.max(0, Math.floor(scroll / itemSize) - overscan));
  const end = Math.min(total, Math.ceil((scroll + viewport) / itemSize) + overscan);
  return { first, end: Math.max(first, end) };
}

/** The pages (of `pageSize` rows, by offset) a range of rows covers. */
export function pagesOf(range: Range, pageSize: number): number[] {
  const pages: number[] = [];
  if (range.first >= range.end) return pages;
  for (
    let offset = Math.floor(range.first / pageSize) * pageSize;
    offset < range.end;
    offset += pageSize
  )
    pages.push(offset);
  return pages;
}
