import { columnWidth, headRow, leadWidth, nameCol, rowHeight } from '../draw-rows';

export interface GridFocus {
  row: number;
  col: number;
}

/**
 * Where a key moves the grid's focus: arrows, Page Up/Down by `page` rows, Home/End (with Ctrl: the
 * top-left header, or the last cell). Undefined for a key that does not move it.
 */
export function keyMove(
  event: KeyboardEvent,
  { row, col }: GridFocus,
  page: number,
  grid: { rows: number; columns: number },
): [number, number] | undefined {
  const last = grid.columns - 1;
  const moves: Record<string, [number, number]> = {
    ArrowUp: [row - 1, col],
    ArrowDown: [row + 1, col],
    ArrowLeft: [row, col - 1],
    ArrowRight: [row, col + 1],
    PageUp: [Math.max(0, row - page), col],
    PageDown: [row + page, col],
    Home: event.ctrlKey ? [headRow, nameCol] : [row, nameCol],
    End: event.ctrlKey ? [grid.rows - 1, last] : [row, last],
  };
  return moves[event.key];
}

/**
 * Scrolls the focused cell into view, clear of the sticky header (and the column groups' band of
 * `bandHeight` above it) and the sticky name and size.
 */
export function scrollToFocus(scroller: HTMLElement, focus: GridFocus, bandHeight = 0): void {
  if (focus.row !== headRow) {
    // Below the sticky header, which covers the first row's height of the view.
    const top = focus.row * rowHeight;
    const bottom = top + 2 * rowHeight + bandHeight;
    if (top < scroller.scrollTop) scroller.scrollTop = top;
    else if (bottom > scroller.scrollTop + scroller.clientHeight)
      scroller.scrollTop = bottom - scroller.clientHeight;
  }
  if (focus.col >= 0) {
    // Right of the sticky name and size.
    const left = focus.col * columnWidth;
    if (left < scroller.scrollLeft) scroller.scrollLeft = left;
    else if (left + leadWidth + columnWidth > scroller.scrollLeft + scroller.clientWidth)
      scroller.scrollLeft = left + leadWidth + columnWidth - scroller.clientWidth;
  }
}
