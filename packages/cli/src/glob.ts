/**
 * Shell-style name patterns: `*` any run of characters, `?` one character, `[abc]` / `[a-z]` /
 * `[!abc]` a character class; everything else matches itself. Whole names only; case-sensitive
 * as image names are, unless `ignoreCase` (site names are unique in any letter case).
 */
export function globToRegExp(pattern: string, { ignoreCase = false } = {}): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) {
        source += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end);
      const negated = body.startsWith('!');
      if (negated) body = body.slice(1);
      source += `[${negated ? '^' : ''}${body.replace(/[\\^\]]/g, '\\$&')}]`;
      i = end;
    } else source += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '');
}
