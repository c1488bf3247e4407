/**
 * The kinds of cloud Glint can hold images on, the one list of them: each is described by a site
 * type of @glint/cloud-adapters, whose registry refuses a type not listed here and is tested to
 * hold one for every name. The store, a layer beside the adapters, types its rows with it; the
 * sites table's CHECK names them too (a new type comes with a migration).
 */
export const siteTypeNames = ['openstack', 'ec2'] as const;

export type SiteType = (typeof siteTypeNames)[number];

/** How the images of a site type can be copied: what the planner must know of it. */
export interface CopyCapabilities {
  /** Its images can be read out, to be streamed to other sites. */
  readable: boolean;
  /**
   * Its cloud copies an image itself between two of its sites (of one account, the same cloud
   * project, different regions), no byte passing through Glint, as EC2 copies an AMI between
   * regions and a Glance pulls an image from another region of its Keystone. Its adapters then
   * offer `serverSideCopyFrom`; where that copy cannot be made, and the source is readable, the
   * image is streamed.
   */
  serverSideCopy: boolean;
}

/** Which catalog endpoint to use, as in OS_INTERFACE. */
export type EndpointInterface = 'public' | 'internal' | 'admin';

/** Where an OpenStack site lives: everything needed to reach it except the secret. */
export interface OpenStackSiteConfig {
  type: 'openstack';
  authUrl: string;
  region?: string;
  interface: EndpointInterface;
  projectName?: string;
  projectId?: string;
  projectDomainName?: string;
  projectDomainId?: string;
  userDomainName?: string;
  userDomainId?: string;
  /**
   * Use this Glance URL instead of the catalog's, as openstacksdk's image_endpoint_override does:
   * for catalogs that list internal hostnames, or a proxy in between.
   */
  imageEndpointOverride?: string;
  /** PEM bundle used instead of the system CAs. */
  caBundle?: string;
  /** Skip TLS verification. Only an explicit choice, never a fallback. */
  insecure?: boolean;
}

export type PasswordCredential = {
  kind: 'password';
  username?: string;
  userId?: string;
  password: string;
};

export type ApplicationCredential = {
  kind: 'application_credential';
  id?: string;
  name?: string;
  /** With a name, the owning user: by id, or by name plus domain. */
  username?: string;
  userId?: string;
  secret: string;
};

export type OpenStackCredential = PasswordCredential | ApplicationCredential;

/** How an EC2 region receives an image: VM Import's ImportImage, or ImportSnapshot + RegisterImage. */
export type Ec2ImportMode = 'image' | 'snapshot';

/** Addresses to use instead of AWS's own, for S3-compatible gateways and for tests. */
export interface Ec2Endpoints {
  ec2?: string;
  s3?: string;
  sts?: string;
  /** SSM Parameter Store, where a release's stable name points at an AMI per region. */
  ssm?: string;
}

/** The settings an EC2 account shares across its regions. Never a secret. */
export interface Ec2AccountSettings {
  /**
   * The staging bucket, the account's own; else Glint creates `glint-staging-<account id>-<region>-an`
   * in S3's account-regional namespace (without `-an` where S3 has none).
   */
  bucket?: string;
  /** The service role VM Import acts as (default `vmimport`). */
  importRole?: string;
  importMode?: Ec2ImportMode;
  endpoints?: Ec2Endpoints;
  /** A role to assume with the keys, and the external id its trust policy asks for. */
  roleArn?: string;
  externalId?: string;
}

/** One enabled region of an EC2 account, as a site: the account's settings plus the region. */
export interface Ec2SiteConfig extends Ec2AccountSettings {
  type: 'ec2';
  region: string;
}

/** An IAM user's access key, or temporary keys with their session token. */
export interface Ec2Credential {
  kind: 'ec2_keys';
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * How a site type carries a release family's stable name (see ReleaseNaming in cloud-adapters):
 * what the orchestrator must know of it without making an adapter.
 */
export interface ReleaseNamingFacts {
  /**
   * Where people and schedulers find the stable name: the image's own name (Glance, where names
   * can change), or a parameter that names the image per region beside tags on it (EC2, where an
   * AMI's name cannot change; SSM as AWS Image Builder does).
   */
  stableName: 'image-name' | 'parameter';
  /**
   * What a lookup of the stable name returns while `promote` moves it. `exactly-one`: one value
   * is overwritten in one call. `one-or-two`: the name moves between two images, which takes two
   * calls since the service changes one image per call; between them (one round trip) both
   * images are listed, never none. Glint resolves two by the newer promotion stamp.
   */
  duringSwitch: 'exactly-one' | 'one-or-two';
}
