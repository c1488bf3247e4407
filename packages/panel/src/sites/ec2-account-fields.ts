import type { ApiError } from '@glint/core/client';
import type { CodeFields } from '../forms/field-errors';

/**
 * What the EC2 account forms (adding, editing) map alike. The keys are checked with STS, so a
 * refusal concerns the secret; a region AWS does not let the account use concerns the regions.
 */
export const ec2CodeFields: CodeFields = {
  account_name_taken: 'name',
  site_login_rejected: 'secretAccessKey',
  region_not_available: 'regions',
  // The keys' check runs in the first region: one not opted in is refused as a permission.
  site_permission_denied: (error: ApiError) =>
    /is not enabled/.test(error.message) ? 'regions' : 'secretAccessKey',
};

/** Region codes as typed: separated by spaces or commas. */
export const regionList = (typed: string) => typed.split(/[\s,]+/).filter(Boolean);
