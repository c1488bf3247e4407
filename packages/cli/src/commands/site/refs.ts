import type { Site } from '@glint/api/replies';

/** Whether `ref` names one of the sites (else it may name an EC2 account). */
export const isSite = (sites: Site[], ref: string) =>
  sites.some((s) => s.id === ref.toLowerCase() || s.name.toLowerCase() === ref.toLowerCase());
