import { Type, type Static } from '@fastify/type-provider-typebox';
import { siteTypes, type SiteConfigShape, type SiteTypeEntry } from '@glint/cloud-adapters';
import { FileText, Name, Secret, Timestamp, Uuid } from './common';
import { SiteTypeName } from './site-types';
import type { SiteConfig, SiteCredential, SiteDraft } from '../site-types';

const SiteName = Name('Unique among your sites');

/**
 * A site's labels, key → value, as standing rules select sites by them. Keys are Kubernetes-like
 * (`experiment`, `example.org/tier`), values up to 63 characters; at most 32. The API names any
 * key or value that is not one (invalid_labels).
 */
export const Labels = Type.Record(Type.String({ maxLength: 317 }), Type.String({ maxLength: 63 }), {
  maxProperties: 32,
  description:
    'Key → value, e.g. {"experiment": "atlas"}: keys lower-case letters, digits, ".", "_", "-" (≤63, alphanumeric at both ends), optionally behind "prefix/"; values ≤63 letters, digits, ".", "_", "-"; at most 32',
});

/**
 * The configuration and credential a site is added or changed with, as each registered site type's
 * descriptor gives them. EC2 regions are added and changed through their account
 * (routes/api/accounts), never one by one.
 */
const addedAlone = siteTypes().filter((entry) => entry.addedAs === 'site');
const credentialsOf = (entry: SiteTypeEntry) =>
  Object.values(entry.credentialKinds).map((kind) => kind.schema);
const SiteConfig = Type.Unsafe<SiteConfig>(
  Type.Union(addedAlone.map((entry) => entry.configSchema)),
);
const SiteCredential = Type.Unsafe<SiteCredential>(Type.Union(addedAlone.flatMap(credentialsOf)));

export const CreateSiteBody = Type.Unsafe<SiteDraft & { labels?: Record<string, string> }>(
  Type.Union(
    addedAlone.map((entry) =>
      Type.Object(
        {
          type: Type.Literal(entry.type),
          name: SiteName,
          config: entry.configSchema,
          credential: Type.Union(credentialsOf(entry)),
          labels: Type.Optional(Labels),
        },
        { additionalProperties: false },
      ),
    ),
  ),
);
export type CreateSiteBody = Static<typeof CreateSiteBody>;

const SelfHeal = Type.Enum(['off', 'restore', 'restore-and-prune'], {
  description:
    'What Glint does on its own where the site drifts from the desired state: off only shows the drift; restore copies wanted images back; restore-and-prune also deletes unwanted ones',
});

export const UpdateSiteBody = Type.Object(
  {
    name: Type.Optional(Name()),
    selfHeal: Type.Optional(SelfHeal),
    labels: Type.Optional(Labels),
    config: Type.Optional(SiteConfig),
    credential: Type.Optional(SiteCredential),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateSiteBody = Static<typeof UpdateSiteBody>;

const filePassword = Type.Optional(
  Secret(
    'The password, or the application credential’s secret, when the file does not hold it (as Horizon’s openrc files do not)',
  ),
);
const fileCaBundle = Type.Optional(
  FileText(
    'The PEM bundle the file names (OS_CACERT, cacert), which Glint does not read from disk',
  ),
);

export const OpenrcSiteBody = Type.Object(
  {
    name: SiteName,
    openrc: FileText('The openrc file’s text'),
    password: filePassword,
    caBundle: fileCaBundle,
    labels: Type.Optional(Labels),
  },
  { additionalProperties: false },
);
export type OpenrcSiteBody = Static<typeof OpenrcSiteBody>;

export const CloudsYamlSiteBody = Type.Object(
  {
    name: SiteName,
    cloudsYaml: FileText('The clouds.yaml file’s text'),
    secureYaml: Type.Optional(
      FileText('The secure.yaml file’s text, whose entries are laid over clouds.yaml’s'),
    ),
    cloud: Type.Optional(
      Name('The entry under clouds: to use; may be left out when there is only one'),
    ),
    password: filePassword,
    caBundle: fileCaBundle,
    labels: Type.Optional(Labels),
  },
  { additionalProperties: false },
);
export type CloudsYamlSiteBody = Static<typeof CloudsYamlSiteBody>;

export const SiteParams = Type.Object({ id: Uuid('The site’s id') });

/** Who logs in to the site, without the secret. */
const CredentialView = Type.Object({
  kind: Type.String(),
  username: Type.Optional(Type.String()),
  userId: Type.Optional(Type.String()),
  id: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  accessKeyId: Type.Optional(Type.String()),
  login: Type.String({ description: 'Who logs in, for people, as the site type words it' }),
  validatedAt: Timestamp('When a live login last succeeded with it'),
});

export const Site = Type.Object({
  id: Uuid('The site’s id'),
  type: SiteTypeName,
  name: Type.String(),
  config: Type.Unsafe<SiteConfigShape>(Type.Union(siteTypes().map((entry) => entry.configSchema))),
  selfHeal: SelfHeal,
  labels: Labels,
  inventoriedAt: Type.Union([Timestamp('When the last inventory finished'), Type.Null()]),
  credential: Type.Union([CredentialView, Type.Null()]),
  account: Type.Union([
    Type.Object(
      { id: Uuid('The account'), name: Type.String() },
      { description: 'The account the site is a region of' },
    ),
    Type.Null(),
  ]),
  createdAt: Timestamp('When the site was added'),
  updatedAt: Timestamp('When the site was last changed'),
});

export const CreatedSite = Type.Object({
  ...Site.properties,
  warnings: Type.Array(Type.String(), {
    description: 'What the imported file said that Glint ignored or guessed',
  }),
});

export const SiteList = Type.Object({ sites: Type.Array(Site) });

export const SiteHealth = Type.Object({
  ok: Type.Boolean(),
  latencyMs: Type.Number({ description: 'Round trip of the cheapest authenticated call' }),
  detail: Type.String(),
  checkedAt: Timestamp('When the check ran'),
});

const QueuedRefresh = Type.Object({
  siteId: Uuid('The site refreshed'),
  jobId: Type.String({ description: 'The inventory job; one per site while it waits or runs' }),
});

export const RefreshQueued = QueuedRefresh;
export const RefreshesQueued = Type.Object({ queued: Type.Array(QueuedRefresh) });
