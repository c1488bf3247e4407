/**
 * IAM policy evaluation, as much as VM Import's service role needs: whether a role's policy allows
 * an action on a resource. Deny wins over Allow; `*` and `?` are IAM's wildcards.
 */
import type { PolicyDocument } from './state';

const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

function matches(pattern: string, value: string, caseless = false): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    caseless ? 'i' : '',
  );
  return regex.test(value);
}

export function allows(policy: PolicyDocument, action: string, resource: string): boolean {
  const applying = policy.Statement.filter(
    (statement) =>
      list(statement.Action).some((a) => matches(a, action, true)) &&
      list(statement.Resource).some((r) => matches(r, resource)),
  );
  return applying.some((s) => s.Effect === 'Allow') && !applying.some((s) => s.Effect === 'Deny');
}
