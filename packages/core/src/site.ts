/** The kinds of cloud Glint can hold images on. Each has one adapter factory registered for it. */
export type SiteType = 'openstack' | 'ec2';

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
