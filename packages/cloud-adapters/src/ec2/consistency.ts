import { backoffDelay, sleep, type BackoffPolicy } from '@glint/core';
import { NotFoundError } from '../errors';

/**
 * How long a resource just made may stay unseen. AWS gives no bound; Terraform's AWS provider
 * waits two minutes for a new resource to propagate, and so does Glint.
 */
const PROPAGATION_MS = 120_000;

/**
 * Runs `call` until it no longer fails with NotFoundError, with capped exponential backoff. EC2's
 * API is eventually consistent: right after RegisterImage (or an import making an AMI), tagging or
 * describing the AMI can answer InvalidAMIID.NotFound, and AWS's advice ("Eventual consistency in
 * the Amazon EC2 API") is to retry so.
 */
export async function onceVisible<T>(
  call: () => Promise<T>,
  policy: BackoffPolicy,
  signal?: AbortSignal,
): Promise<T> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof NotFoundError) || Date.now() - started > PROPAGATION_MS) throw error;
      await sleep(backoffDelay(policy, Math.min(attempt, 8)), signal);
    }
  }
}
