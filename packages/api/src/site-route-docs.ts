/** What the site routes' OpenAPI entries share. */
export const siteTags = ['sites'];

export const loginChecked =
  'The credential is checked by a live login before anything is stored: a wrong password (site_login_rejected), ' +
  'an endpoint nobody answers at (site_unreachable) and a catalog without an image service (site_has_no_image_service) ' +
  'are each a 4xx, and nothing is saved.';
