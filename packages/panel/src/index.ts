/**
 * The bundle's entry: defines the elements. Names already taken (the bundle loaded twice by a host
 * page) are left alone rather than throwing.
 */
import { GlintLogin } from './login-view';
import { GlintImageMatrix } from './matrix/image-matrix';
import { GlintMatrixLegend } from './matrix/matrix-legend';
import { GlintPlanReview } from './matrix/plan-review';
import { GlintPanel } from './panel';

const elements: Record<string, CustomElementConstructor> = {
  'glint-panel': GlintPanel,
  'glint-login': GlintLogin,
  'glint-image-matrix': GlintImageMatrix,
  'glint-matrix-legend': GlintMatrixLegend,
  'glint-plan-review': GlintPlanReview,
};

for (const [name, element] of Object.entries(elements))
  if (!customElements.get(name)) customElements.define(name, element);

export { GlintImageMatrix, GlintLogin, GlintMatrixLegend, GlintPanel, GlintPlanReview };
