import { Type, type Static } from '@fastify/type-provider-typebox';
import { siteTypes } from '@glint/cloud-adapters';

/** Every site type an adapter is registered for, as the adapters' registry names them. */
export const SiteTypeName = Type.Enum(
  siteTypes().map((entry) => entry.type),
  { description: 'The kind of cloud the site is' },
);

const CredentialKindView = Type.Object({
  kind: Type.String({ description: 'The credential’s kind field' }),
  secretFields: Type.Array(Type.String(), {
    description: 'Fields holding secrets, the one a login uses first: never returned',
  }),
  loginField: Type.String({ description: 'The field naming who logs in' }),
  loginLabel: Type.String(),
  secretLabel: Type.String(),
});

const SiteTypeView = Type.Object({
  type: SiteTypeName,
  label: Type.String({ description: 'The type’s name for people' }),
  credentialKinds: Type.Array(CredentialKindView),
  configDefaults: Type.Record(Type.String(), Type.Unknown(), {
    description: 'Filled into a configuration that leaves them out',
  }),
  capabilities: Type.Object({
    resumableUploads: Type.Boolean({ description: 'An upload cut short resumes' }),
    readable: Type.Boolean({
      description: 'Its images can be read out, to be streamed to other sites',
    }),
    serverSideCopy: Type.Boolean({
      description:
        'The cloud copies between its own sites of one account (EC2 regions: CopyImage; Glance regions of one Keystone: glance-download)',
    }),
    importStage: Type.Boolean({ description: 'A new image goes through an import stage' }),
    releaseNaming: Type.Union(
      [
        Type.Object({
          stableName: Type.Union([Type.Literal('image-name'), Type.Literal('parameter')], {
            description:
              'Where a release family’s stable name lives: the image’s name, or a parameter naming the image (EC2: SSM)',
          }),
          duringSwitch: Type.Union([Type.Literal('exactly-one'), Type.Literal('one-or-two')], {
            description: 'What a lookup of the stable name returns while it moves to a new version',
          }),
        }),
        Type.Null(),
      ],
      { description: 'How the site carries a release’s stable name; null: it cannot' },
    ),
  }),
});

export const SiteTypeList = Type.Object({ siteTypes: Type.Array(SiteTypeView) });
export type SiteTypeList = Static<typeof SiteTypeList>;

/** The registry's descriptors as the API shows them: facts only, no factory. */
export function siteTypeList(): SiteTypeList {
  return {
    siteTypes: siteTypes().map((entry) => ({
      type: entry.type,
      label: entry.label,
      credentialKinds: Object.entries(entry.credentialKinds).map(([kind, facts]) => ({
        kind,
        secretFields: [...facts.secretFields],
        ...facts.form,
      })),
      configDefaults: { ...entry.configDefaults },
      capabilities: { ...entry.capabilities },
    })),
  };
}
