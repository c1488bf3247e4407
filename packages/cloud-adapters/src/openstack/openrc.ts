import { ConfigFileError } from './config-file-error';
import {
  parseBoolean,
  siteFromSettings,
  type OpenStackSettings,
  type ParsedSiteFile,
  type SettingName,
} from './site-settings';

/**
 * The variables for each setting, preferred first: the v2-era `OS_TENANT_*` and `OS_ENDPOINT_TYPE`
 * still appear in old files and count only when the current name is absent.
 */
const variablesBySetting: Record<SettingName, string[]> = {
  authUrl: ['OS_AUTH_URL'],
  authType: ['OS_AUTH_TYPE'],
  identityApiVersion: ['OS_IDENTITY_API_VERSION'],
  username: ['OS_USERNAME'],
  userId: ['OS_USER_ID'],
  password: ['OS_PASSWORD'],
  projectName: ['OS_PROJECT_NAME', 'OS_TENANT_NAME'],
  projectId: ['OS_PROJECT_ID', 'OS_TENANT_ID'],
  userDomainName: ['OS_USER_DOMAIN_NAME'],
  userDomainId: ['OS_USER_DOMAIN_ID'],
  projectDomainName: ['OS_PROJECT_DOMAIN_NAME'],
  projectDomainId: ['OS_PROJECT_DOMAIN_ID'],
  domainName: ['OS_DOMAIN_NAME'],
  domainId: ['OS_DOMAIN_ID'],
  applicationCredentialId: ['OS_APPLICATION_CREDENTIAL_ID'],
  applicationCredentialName: ['OS_APPLICATION_CREDENTIAL_NAME'],
  applicationCredentialSecret: ['OS_APPLICATION_CREDENTIAL_SECRET'],
  region: ['OS_REGION_NAME'],
  interface: ['OS_INTERFACE', 'OS_ENDPOINT_TYPE'],
  cacert: ['OS_CACERT'],
  insecure: ['OS_INSECURE'],
};

/** Commands that set no variables; openrc files use them to prompt, tidy up and branch. */
const harmlessCommands = new Set([
  'unset',
  'echo',
  'printf',
  'read',
  'if',
  'elif',
  'fi',
  'while',
  'until',
  'for',
  'done',
  '[',
  '[[',
  'test',
  'set',
  'true',
  'false',
  ':',
  'return',
  'exit',
  'local',
  'shopt',
]);
/** Words that only open a branch or loop body; what follows them on the line is a command. */
const bodyKeywords = new Set(['then', 'else', 'do']);

/** One shell word with its expansions done where the file itself says the value. */
interface Word {
  text: string;
  /** `NAME` when the word is an assignment `NAME=value`; `text` is then the value. */
  assigns?: string;
  /** Expansions whose value is only known when the file is sourced: `$OS_PASSWORD_INPUT`, `$(…)`. */
  unknown: string[];
  quoted: boolean;
}

interface Variable {
  /** Undefined when the value is only known at run time. */
  value: string | undefined;
  line: number;
}

const assignmentStart = /^[A-Za-z_][A-Za-z0-9_]*=/;
const variableName = /^[A-Za-z_][A-Za-z0-9_]*$/;

const ansiCEscapes: Record<string, string> = {
  a: '\x07',
  b: '\b',
  e: '\x1b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '?': '?',
};

/** Splits one line into commands of words, the way bash would for the subset openrc files use. */
class LineReader {
  private i = 0;
  private word: Word | undefined;
  private words: Word[] = [];
  private readonly commands: Word[][] = [];

  constructor(
    private readonly line: string,
    private readonly lineNumber: number,
    private readonly lookup: (name: string) => string | undefined,
  ) {}

  read(): Word[][] {
    const { line } = this;
    while (this.i < line.length) {
      const c = line[this.i]!;
      if (c === ' ' || c === '\t') {
        this.endWord();
        this.i++;
      } else if (c === '#' && !this.word) {
        break;
      } else if (c === ';' || c === '&' || c === '|') {
        this.endCommand();
        this.i++;
      } else if (!this.word) {
        this.startWord();
      } else {
        this.wordPart(this.word, c);
      }
    }
    this.endCommand();
    return this.commands;
  }

  /** A word starts here; an unquoted `NAME=` at its start makes it an assignment. */
  private startWord(): void {
    this.word = { text: '', unknown: [], quoted: false };
    const assignment = assignmentStart.exec(this.line.slice(this.i));
    if (assignment) {
      this.word.assigns = assignment[0].slice(0, -1);
      this.i += assignment[0].length;
    }
  }

  private wordPart(word: Word, c: string): void {
    const { line } = this;
    if (c === "'") {
      word.quoted = true;
      word.text += this.closing("'", this.i + 1, 'single quote');
    } else if (c === '$' && line[this.i + 1] === "'") {
      word.quoted = true;
      this.i++;
      word.text += this.ansiC();
    } else if (c === '"') {
      word.quoted = true;
      this.doubleQuoted(word);
    } else if (c === '\\') {
      if (this.i + 1 >= line.length)
        this.fail(
          'ends with a backslash, which continues it on the next line: put the whole command on one line',
        );
      word.text += line[this.i + 1];
      this.i += 2;
    } else {
      this.plainOrExpansion(word, c);
    }
  }

  private fail(problem: string): never {
    throw new ConfigFileError(problem, { file: 'openrc', line: this.lineNumber });
  }

  private endWord(): void {
    if (this.word) this.words.push(this.word);
    this.word = undefined;
  }

  private endCommand(): void {
    this.endWord();
    if (this.words.length > 0) this.commands.push(this.words);
    this.words = [];
  }

  /** The text up to the closing `quote` from `from` on, moving past it. */
  private closing(quote: string, from: number, what: string): string {
    const end = this.line.indexOf(quote, from);
    if (end < 0) this.unterminated(what, from - 1);
    this.i = end + 1;
    return this.line.slice(from, end);
  }

  private unterminated(what: string, column: number): never {
    this.fail(`the ${what} at column ${column + 1} is never closed: close it on the same line`);
  }

  /** `$'…'`, with bash's backslash escapes. */
  private ansiC(): string {
    const start = this.i;
    let text = '';
    for (let j = start + 1; j < this.line.length; j++) {
      const c = this.line[j]!;
      if (c === "'") {
        this.i = j + 1;
        return text;
      }
      if (c !== '\\' || j + 1 >= this.line.length) {
        text += c;
        continue;
      }
      const next = this.line[++j]!;
      const hex = /^x([0-9a-fA-F]{1,2})/.exec(this.line.slice(j));
      const octal = /^[0-7]{1,3}/.exec(this.line.slice(j));
      if (hex) {
        text += String.fromCharCode(parseInt(hex[1]!, 16));
        j += hex[0].length - 1;
      } else if (octal) {
        text += String.fromCharCode(parseInt(octal[0], 8));
        j += octal[0].length - 1;
      } else {
        text += ansiCEscapes[next] ?? `\\${next}`;
      }
    }
    this.unterminated("$'…' quote", start - 1);
  }

  /** `"…"`: backslash escapes only `$ \` " \\`; expansions happen. */
  private doubleQuoted(word: Word): void {
    const start = this.i;
    this.i++;
    while (this.i < this.line.length) {
      const c = this.line[this.i]!;
      if (c === '"') {
        this.i++;
        return;
      }
      if (c === '\\' && '$`"\\'.includes(this.line[this.i + 1] ?? '')) {
        word.text += this.line[this.i + 1];
        this.i += 2;
      } else {
        this.plainOrExpansion(word, c);
      }
    }
    this.unterminated('double quote', start);
  }

  /** `$NAME`, `${NAME}`, `$(…)` and the like at the cursor. */
  /** What `$`, a backquote or any other character means alike unquoted and in double quotes. */
  private plainOrExpansion(word: Word, c: string): void {
    if (c === '$') {
      this.expansion(word);
    } else if (c === '`') {
      word.unknown.push(this.commandSubstitution());
    } else {
      word.text += c;
      this.i++;
    }
  }

  private expansion(word: Word): void {
    const rest = this.line.slice(this.i + 1);
    if (rest.startsWith('(')) {
      word.unknown.push(this.commandSubstitution());
      return;
    }
    let name: string;
    let shown: string;
    if (rest.startsWith('{')) {
      name = this.closing('}', this.i + 2, 'brace of ${');
      shown = `\${${name}}`;
    } else {
      const match = /^([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/.exec(rest);
      if (!match) {
        word.text += '$';
        this.i++;
        return;
      }
      name = match[0];
      shown = `$${name}`;
      this.i += 1 + name.length;
    }
    const value = variableName.test(name) ? this.lookup(name) : undefined;
    if (value === undefined) word.unknown.push(shown);
    else word.text += value;
  }

  /** `$(…)` or `` `…` ``: only the shell knows what it prints. */
  private commandSubstitution(): string {
    const start = this.i;
    if (this.line[start] === '`') {
      this.closing('`', start + 1, 'backquote');
    } else {
      let depth = 0;
      let j = start + 1;
      for (; j < this.line.length; j++) {
        if (this.line[j] === '(') depth++;
        else if (this.line[j] === ')' && --depth === 0) break;
      }
      if (j >= this.line.length) this.unterminated('$( command substitution', start);
      this.i = j + 1;
    }
    return this.line.slice(start, this.i);
  }
}

/**
 * Reads an openrc file (as Horizon and cloud operators hand them out) without running it: it
 * understands the assignments, quoting and the password prompt such files use, and refuses anything
 * else with the line to fix. Values that only exist when the file is sourced — the prompted
 * `$OS_PASSWORD_INPUT`, say — count as not given.
 */
export function parseOpenrc(text: string): ParsedSiteFile {
  const variables = new Map<string, Variable>();
  const warnings: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);

  lines.forEach((line, index) => {
    const lineNumber = index + 1;
    const lookup = (name: string) => variables.get(name)?.value;
    for (const command of new LineReader(line, lineNumber, lookup).read()) {
      for (const problem of runCommand(command, lineNumber, variables))
        warnings.push(`line ${lineNumber}: ${problem}`);
    }
  });

  const values: Partial<Record<SettingName, string>> = {};
  const used = new Map<SettingName, { variable: string; line: number }>();
  for (const [setting, names] of Object.entries(variablesBySetting) as [SettingName, string[]][]) {
    const variable = names.find((name) => variables.get(name)?.value !== undefined);
    if (!variable) continue;
    const { value, line } = variables.get(variable)!;
    values[setting] = value;
    used.set(setting, { variable, line });
  }
  const { insecure, ...textSettings } = values;
  const settings: OpenStackSettings = { ...textSettings };
  if (insecure !== undefined) {
    settings.insecure = parseBoolean(insecure);
    if (settings.insecure === undefined) {
      const { variable, line } = used.get('insecure')!;
      throw new ConfigFileError(`${variable}=${insecure} is neither true nor false`, {
        file: 'openrc',
        line,
      });
    }
  }
  const parsed = siteFromSettings(settings, {
    nameOf: (setting) => used.get(setting)?.variable ?? variablesBySetting[setting][0]!,
    locate: (setting) => ({ file: 'openrc', line: used.get(setting)?.line }),
  });
  return { ...parsed, warnings: [...warnings, ...parsed.warnings] };
}

/** Applies one command's assignments; returns warnings about it. */
function runCommand(
  command: Word[],
  lineNumber: number,
  variables: Map<string, Variable>,
): string[] {
  let words = command;
  while (words[0] && !words[0].quoted && !words[0].assigns && bodyKeywords.has(words[0].text))
    words = words.slice(1);
  const [first] = words;
  if (!first) return [];
  const isExport = !first.quoted && !first.assigns && first.text === 'export';
  if (!isExport && !first.assigns) {
    if (!first.quoted && (first.text === 'source' || first.text === '.')) {
      return [
        `the file sources ${words[1]?.text ?? 'another file'}, which is not read; copy its OS_* settings in here if they matter`,
      ];
    }
    if (!first.quoted && harmlessCommands.has(first.text)) return [];
    throw new ConfigFileError(
      `"${command.map((w) => (w.assigns ? `${w.assigns}=${w.text}` : w.text)).join(' ')}" is not something an openrc file ` +
        'should contain: remove it, or write settings as export OS_NAME=value',
      { file: 'openrc', line: lineNumber },
    );
  }
  const warnings: string[] = [];
  for (const word of isExport ? words.slice(1) : words) {
    if (!word.assigns) {
      // `export NAME` or an option such as `export -n`: nothing to record.
      if (isExport && !word.quoted && (variableName.test(word.text) || word.text.startsWith('-')))
        continue;
      throw new ConfigFileError(`"${word.text}" is not an assignment: write it as NAME=value`, {
        file: 'openrc',
        line: lineNumber,
      });
    }
    const known = word.unknown.length === 0;
    // An empty value is how openrc files leave a setting out.
    variables.set(word.assigns, {
      value: known && word.text !== '' ? word.text : undefined,
      line: lineNumber,
    });
    if (!known && word.assigns.startsWith('OS_')) {
      warnings.push(
        `${word.assigns} takes its value from ${word.unknown.join(', ')}, which is only known when the file is sourced; it counts as not given`,
      );
    }
  }
  return warnings;
}
