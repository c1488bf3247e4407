import { Type, type Static } from '@fastify/type-provider-typebox';
import { FileText, Name, Secret, Timestamp, Url, Uuid } from './common';
import { Ec2SiteConfig } from './ec2';
import { SiteTypeName } from './site-types';

/** Where an OpenStack site is: everything about it except the secret. */
const OpenStackConfig = Type.Object(
  {
    authUrl: Url("Keystone's v3 URL, e.g. https://keystone.example.org:5000/v3"),
    region: Type.Optional(Name('Region of the image endpoint; any region when not given')),
    interface: Type.Optional(
      Type.Enum(['public', 'internal', 'admin'], {
        description: 'Catalog interface; public when not given',
      }),
    ),
    projectName: Type.Optional(Name()),
    projectId: Type.Optional(Name()),
    projectDomainName: Type.Optional(Name()),
    projectDomainId: Type.Optional(Name()),
    userDomainName: Type.Optional(Name()),
    userDomainId: Type.Optional(Name()),
    imageEndpointOverride: Type.Optional(Url('Glance URL to use instead of the catalog’s')),
    caBundle: Type.Optional(
      FileText('PEM bundle to verify the site’s TLS certificates with, instead of the system CAs'),
    ),
    insecure: Type.Optional(Type.Boolean({ description: 'Skip TLS verification' })),
  },
  { additionalProperties: false, title: 'OpenStack site' },
);

const OpenStackPassword = Type.Object(
  {
    kind: Type.Literal('password'),
    username: Type.Optional(Name()),
    userId: Type.Optional(Name()),
    password: Secret('The password; never returned'),
  },
  { additionalProperties: false, title: 'OpenStack password' },
);

const OpenStackApplicationCredential = Type.Object(
  {
    kind: Type.Literal('application_credential'),
    id: Type.Optional(Name()),
    name: Type.Optional(Name()),
    username: Type.Optional(Name()),
    userId: Type.Optional(Name()),
    secret: Secret('The secret; never returned'),
  },
  { additionalProperties: false, title: 'OpenStack application credential' },
);

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
 * The configuration and credential a site is added or changed with. EC2 regions are added and
 * changed through their account (routes/api/accounts), never one by one.
 */
const SiteConfig = Type.Union([OpenStackConfig]);
const SiteCredential = Type.Union([OpenStackPassword, OpenStackApplicationCredential]);

export const CreateSiteBody = Type.Union([
  Type.Object(
    {
      type: Type.Literal('openstack'),
      name: SiteName,
      config: OpenStackConfig,
      credential: SiteCredential,
      labels: Type.Optional(Labels),
    },
    { additionalProperties: false },
  ),
]);
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
  config: Type.Union([OpenStackConfig, Ec2SiteConfig]),
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
