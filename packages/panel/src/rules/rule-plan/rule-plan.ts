import { css, html, nothing, type TemplateResult } from 'lit';
import type { RulePlan } from '@glint/api/replies';

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * What a rule implies now: the copies it wants that are not there yet, the copies it deletes (a
 * pruning rule's, or its removal's), each by image and site, with their counts first.
 */
export function rulePlanView(plan: RulePlan, empty: string): TemplateResult {
  const count = plan.copies.length + plan.deletes.length;
  return html`<div class="rule-plan">
    <p class="plan-summary">
      ${
        count === 0
          ? empty
          : [
              plan.copies.length ? plural(plan.copies.length, 'copy', 'copies') : '',
              plan.deletes.length ? plural(plan.deletes.length, 'delete', 'deletes') : '',
            ]
              .filter(Boolean)
              .join(', ')
      }
    </p>
    ${
      count === 0
        ? nothing
        : html`<ul>
            ${plan.copies.map(
              (c) =>
                html`<li class="copy">
                  <span aria-hidden="true">+</span> copy <b>${c.imageName}</b> to
                  <b>${c.siteName}</b>
                </li>`,
            )}
            ${plan.deletes.map(
              (d) =>
                html`<li class="delete">
                  <span aria-hidden="true">−</span> delete <b>${d.imageName}</b> from
                  <b>${d.siteName}</b>
                </li>`,
            )}
          </ul>`
    }
  </div>`;
}

export const rulePlanStyles = css`
  .rule-plan p {
    margin: 0 0 4px;
    font-weight: 600;
  }
  .rule-plan ul {
    margin: 0;
    padding: 0;
    list-style: none;
    max-height: 220px;
    overflow: auto;
  }
  .rule-plan li {
    padding: 1px 0;
  }
  .rule-plan li.copy span {
    color: #166534;
    font-weight: 700;
  }
  .rule-plan li.delete {
    color: #7f1d1d;
  }
`;
