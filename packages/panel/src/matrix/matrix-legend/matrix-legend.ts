import { LitElement, html } from 'lit';
import type { CellState } from '@glint/api/replies';
import { stateLooks } from '../cell-display';
import { legendStyles } from './styles';

/** What each cell look means: the same icons, words and colours as the cells. */
export class GlintMatrixLegend extends LitElement {
  static override styles = legendStyles;

  override render() {
    return html`<span class="entry"><span class="cell wanted"></span>wanted on the site</span>${(
        Object.keys(stateLooks) as CellState[]
      ).map(
        (state) =>
          html`<span class="entry" title=${stateLooks[state].meaning}
            ><span class="cell" data-state=${state} data-icon=${stateLooks[state].icon}
              >${stateLooks[state].label}</span
            ></span
          >`,
      )}<span class="entry" title="wanted here because a standing rule says so"
        ><span class="cell" data-placed="rule"></span>by a rule</span
      ><span class="entry" title="ticked or cleared by hand, which a rule does not change"
        ><span class="cell" data-placed="override"></span>by hand over a rule</span
      ><span
        class="entry"
        title="hidden on the site (os_hidden): out of its listings, still bootable by id, as a release leaves an older version"
        ><span
          class="cell"
          data-state="present"
          data-icon=${stateLooks.present.icon}
          data-hidden="true"
          >hidden</span
        ></span
      >`;
  }
}
