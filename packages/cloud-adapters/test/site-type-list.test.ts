import { siteTypeNames, type SiteType } from '@glint/core';
import {
  registerSiteType,
  siteType,
  siteTypes,
  type SiteTypeDescriptor,
} from '@glint/cloud-adapters';

describe('the site types core names and the registry holds', () => {
  test('every name in core’s list has a registered descriptor, and the registry holds no other', () => {
    expect(
      siteTypes()
        .map((entry) => entry.type)
        .sort(),
    ).toEqual([...siteTypeNames].sort());
  });

  test('a type core does not list is refused, so the list cannot drift from the registry', () => {
    const vsphere = { ...siteType('openstack'), type: 'vsphere' as SiteType };
    expect(() => registerSiteType(vsphere as SiteTypeDescriptor)).toThrow(
      /"vsphere" is not one of @glint\/core's siteTypeNames/,
    );
    expect(siteTypes()).toHaveLength(siteTypeNames.length);
  });

  test.each(siteTypes().map((entry) => [entry.type, entry] as const))(
    '%s: each credential kind’s schema names its kind, and the configuration is an object schema',
    (_type, entry) => {
      for (const [kind, facts] of Object.entries(entry.credentialKinds))
        expect(facts.schema).toMatchObject({ properties: { kind: { const: kind } } });
      expect(entry.configSchema).toMatchObject({ type: 'object', additionalProperties: false });
    },
  );
});
