/**
 * EnableImageDeprecation and DisableImageDeprecation. A deprecated AMI stays launchable and
 * describable by id. DescribeImages leaves deprecated AMIs out of its listings for their users
 * unless IncludeDeprecated is true, but their owner sees them whatever it asks (the EC2 API
 * reference); as the emulator holds only the caller's own AMIs, every AMI it lists is the
 * caller's, so it lists deprecated ones too and only shows their `deprecationTime`.
 */
import type { Action } from '../context';
import { ApiError } from '../errors';
import { ownedImage } from './images';

/** EC2 takes no deprecation time in the past, nor more than ten years ahead (two for public AMIs). */
const MAX_AHEAD_MS = 10 * 365.25 * 24 * 3600_000;

/** Seconds are rounded to the nearest minute, as EC2 does. */
function deprecationTime(text: string, now: number): string {
  const at = Date.parse(text);
  if (Number.isNaN(at))
    throw new ApiError('InvalidParameterValue', `Invalid value '${text}' for DeprecateAt.`);
  const rounded = Math.round(at / 60_000) * 60_000;
  if (rounded < Math.floor(now / 60_000) * 60_000)
    throw new ApiError(
      'InvalidParameterValue',
      `The deprecation time ${text} is in the past. Specify a time in the future.`,
    );
  if (rounded > now + MAX_AHEAD_MS)
    throw new ApiError(
      'InvalidParameterValue',
      `The deprecation time ${text} is more than 10 years in the future.`,
    );
  return new Date(rounded).toISOString();
}

export const enableImageDeprecation: Action = (context) => {
  const image = ownedImage(context);
  image.deprecationTime = deprecationTime(
    context.params.require('DeprecateAt'),
    context.faults.now(),
  );
  return { return: true };
};

export const disableImageDeprecation: Action = (context) => {
  delete ownedImage(context).deprecationTime;
  return { return: true };
};
