import type { Verification } from '@glint/core';
import type { CloudAdapter, ImageInfo } from '../adapter';
import { IntegrityError } from '../errors';
import { DEFAULT_HASH_ALGO } from './digest';

/**
 * How a copy's bytes are proven, chosen once before the first byte:
 * - `ends`: the source declares a multihash and every destination computes its own digests over
 *   what it received, so comparing the two ends proves the bytes and the copier hashes nothing;
 * - `hashed`: the copier hashes the bytes once on the way, in the one algorithm needed (the
 *   source's, else sha512), adding md5 only for a source that declares its legacy checksum alone.
 */
export interface VerificationPlan extends Verification {
  /** What the copier computes over the bytes in transit: nothing for `ends`. */
  algorithms: string[];
  /** Digests known for the bytes before any is read: the source's own, by algorithm. */
  declared: Record<string, string>;
}

/** The digests an image declares for its data, by algorithm (lower case). */
function declaredDigests(image: ImageInfo | undefined): Record<string, string> {
  const digests: Record<string, string> = {};
  if (image?.checksum) digests.md5 = image.checksum.toLowerCase();
  if (image?.hashAlgo && image.hashValue)
    digests[image.hashAlgo.toLowerCase()] = image.hashValue.toLowerCase();
  return digests;
}

/**
 * The plan for bytes from `source` (undefined: from outside any cloud, an upload or a URL) to
 * `destinations`. `algo` is the content hash's algorithm: the source's multihash, Glint's marker,
 * or the hash an uploader announced.
 */
export function planVerification(
  source: ImageInfo | undefined,
  algo: string | undefined,
  destinations: CloudAdapter[],
): VerificationPlan {
  const declared = declaredDigests(source);
  const multihash =
    source?.hashAlgo && source.hashValue ? source.hashAlgo.toLowerCase() : undefined;
  if (multihash && destinations.length > 0 && destinations.every((d) => d.digestsReceived))
    return { method: 'ends', algo: multihash, algorithms: [], declared };
  const hashAlgo = algo ?? DEFAULT_HASH_ALGO;
  const md5Only = declared.md5 !== undefined && multihash === undefined;
  return {
    method: 'hashed',
    algo: hashAlgo,
    algorithms: md5Only && hashAlgo !== 'md5' ? [hashAlgo, 'md5'] : [hashAlgo],
    declared,
  };
}

/**
 * Fails unless what a destination computed over the bytes it stored agrees with `known` (the
 * digests of the bytes sent). Every digest both sides have must agree; under the `ends` plan at
 * least one must exist, or nothing proved the copy.
 */
export function compareDigests(
  plan: VerificationPlan,
  stored: ImageInfo,
  known: Record<string, string>,
  what: string,
): void {
  const reported = declaredDigests(stored);
  const shared = Object.keys(reported).filter((algo) => known[algo] !== undefined);
  const differing = shared.filter((algo) => reported[algo] !== known[algo]);
  const listed = differing.map((a) => `${a} differs`).join('; ');
  if (differing.length > 0 && plan.method === 'ends')
    throw new IntegrityError(
      `${what} does not match the digests the source declares (${listed}): the source's stored ` +
        'data or the bytes on the way were altered; the copy is deleted',
    );
  if (differing.length > 0)
    throw new IntegrityError(`${what} does not match the bytes sent (${listed})`);
  if (plan.method === 'ends' && shared.length === 0)
    throw new IntegrityError(
      `${what} could not be verified: it reports no ${Object.keys(known).join(' or ')} digest ` +
        'to compare with the source, and Glint did not hash the bytes itself',
    );
}
