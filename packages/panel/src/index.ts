/**
 * The bundle's entry: defines the elements. Names already taken (the bundle loaded twice by a host
 * page) are left alone rather than throwing.
 */
import { GlintHourlyChart } from './charts/hourly-chart';
import { GlintImageDetails } from './images/image-details';
import { GlintImageImport } from './images/image-import';
import { GlintImageUpload } from './images/image-upload';
import { GlintImagesView } from './images/images-view';
import { GlintProjectSwitch } from './project-switch/project-switch';
import { GlintJobsView } from './jobs/jobs-view';
import { GlintLogin } from './login/login';
import { GlintImageMatrix } from './matrix/image-matrix/image-matrix';
import { GlintMatrixLegend } from './matrix/matrix-legend/matrix-legend';
import { GlintPlanReview } from './matrix/plan-review/plan-review';
import { GlintPanel } from './panel';
import { GlintReleasePlanReview } from './releases/release-plan-review/release-plan-review';
import { GlintReleaseTimeline } from './releases/release-timeline/release-timeline';
import { GlintReleasesView } from './releases/releases-view/releases-view';
import { GlintRuleForm } from './rules/rule-form/rule-form';
import { GlintRulesView } from './rules/rules-view/rules-view';
import { GlintAccountEdit } from './sites/account-edit';
import { GlintAddSite } from './sites/add-site';
import { GlintAppCredentialForm } from './sites/app-credential-form';
import { GlintCloudsYamlForm } from './sites/clouds-yaml-form';
import { GlintEc2AccountForm } from './sites/ec2-account-form';
import { GlintOpenrcForm } from './sites/openrc-form';
import { GlintSiteActivity } from './sites/site-activity';
import { GlintSiteEdit } from './sites/site-edit/site-edit';
import { GlintSiteLabels } from './sites/site-labels/site-labels';
import { GlintSitesView } from './sites/sites-view/sites-view';

const elements: Record<string, CustomElementConstructor> = {
  'glint-panel': GlintPanel,
  'glint-login': GlintLogin,
  'glint-image-matrix': GlintImageMatrix,
  'glint-matrix-legend': GlintMatrixLegend,
  'glint-plan-review': GlintPlanReview,
  'glint-sites-view': GlintSitesView,
  'glint-add-site': GlintAddSite,
  'glint-openrc-form': GlintOpenrcForm,
  'glint-clouds-yaml-form': GlintCloudsYamlForm,
  'glint-app-credential-form': GlintAppCredentialForm,
  'glint-ec2-account-form': GlintEc2AccountForm,
  'glint-site-edit': GlintSiteEdit,
  'glint-site-labels': GlintSiteLabels,
  'glint-site-activity': GlintSiteActivity,
  'glint-hourly-chart': GlintHourlyChart,
  'glint-account-edit': GlintAccountEdit,
  'glint-jobs-view': GlintJobsView,
  'glint-images-view': GlintImagesView,
  'glint-image-upload': GlintImageUpload,
  'glint-image-import': GlintImageImport,
  'glint-image-details': GlintImageDetails,
  'glint-project-switch': GlintProjectSwitch,
  'glint-releases-view': GlintReleasesView,
  'glint-release-timeline': GlintReleaseTimeline,
  'glint-release-plan-review': GlintReleasePlanReview,
  'glint-rules-view': GlintRulesView,
  'glint-rule-form': GlintRuleForm,
};

for (const [name, element] of Object.entries(elements))
  if (!customElements.get(name)) customElements.define(name, element);

export {
  GlintAccountEdit,
  GlintAddSite,
  GlintAppCredentialForm,
  GlintCloudsYamlForm,
  GlintEc2AccountForm,
  GlintHourlyChart,
  GlintImageDetails,
  GlintImageImport,
  GlintImageMatrix,
  GlintImageUpload,
  GlintImagesView,
  GlintJobsView,
  GlintLogin,
  GlintMatrixLegend,
  GlintOpenrcForm,
  GlintPanel,
  GlintPlanReview,
  GlintProjectSwitch,
  GlintReleasePlanReview,
  GlintReleaseTimeline,
  GlintReleasesView,
  GlintRuleForm,
  GlintRulesView,
  GlintSiteActivity,
  GlintSiteEdit,
  GlintSiteLabels,
  GlintSitesView,
};
