/** Which rows of a long scrolled list need to be in the DOM: those in view, and a few either side. */

export interface RowWindow {
  /** First row index to render. */
  first: number;
  /** One past the last row index to render. */
  end: number;
}

export function rowWindow(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  total: number,
  overscan = 8,
): RowWindow {
  const first = Math.min(total, Math.max(0, Math.floor(scrollTop / rowHeight) - overscan));
  const end = Math.min(total, Math.ceil((scrollTop + viewportHeight) / rowHeight) + overscan);
  return { first, end: Math.max(first, end) };
}

/** The pages (of `pageSize` rows, by offset) a window covers. */
export function pagesOf(window: RowWindow, pageSize: number): number[] {
  const pages: number[] = [];
  if (window.first >= window.end) return pages;
  for (
    let offset = Math.floor(window.first / pageSize) * pageSize;
    offset < window.end;
    offset += pageSize
  )
    pages.push(offset);
  return pages;
}
