import type { CodeFields } from '../forms/field-errors';

/** What every way of adding or changing a site maps alike. */
export const siteCodeFields: CodeFields = {
  site_name_taken: 'name',
  invalid_labels: 'labels',
};
