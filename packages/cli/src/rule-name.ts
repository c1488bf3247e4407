/**
 * Rule names are slugs: their handle in URLs and files. Apart from rule-definition.ts, whose
 * schemas load TypeBox, so that `glint rule set NAME` checks a name without loading it.
 */
export const ruleNamePattern = '^[a-z0-9][a-z0-9-]{0,62}$';
export const ruleNameWords =
  'a name of lower-case letters, digits and "-" (at most 63, starting with a letter or digit)';
