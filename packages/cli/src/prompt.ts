import { createInterface } from 'node:readline/promises';
import { CliError } from './errors';

/** Asks on the terminal for a secret, echoing nothing; Ctrl-C ends the program as usual. */
export function promptSecret(question: string): Promise<string> {
  const { stdin, stderr } = process;
  return new Promise((resolve) => {
    stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let answer = '';
    const onData = (chunk: Buffer) => {
      for (const c of chunk.toString('utf8')) {
        if (c === '\r' || c === '\n' || c === '\u0004') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          stderr.write('\n');
          resolve(answer);
          return;
        } else if (c === '\u0003') {
          stdin.setRawMode(false);
          stderr.write('\n');
          process.exit(130);
        } else if (c === '\u007f' || c === '\b') {
          answer = answer.slice(0, -1);
        } else {
          answer += c;
        }
      }
    };
    stdin.on('data', onData);
  });
}

/** All of stdin, without its final line break: for `--password-stdin`. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (!text)
    throw new CliError('--password-stdin was given but stdin was empty: pipe the secret in');
  return text;
}

/** The secret from where the user said, else a prompt on a terminal, else an error naming `missing`. */
export async function secretOr(
  fromStdin: boolean,
  question: string,
  missing: string,
): Promise<string> {
  if (fromStdin) return readStdin();
  if (process.stdin.isTTY) return promptSecret(question);
  throw new CliError(missing);
}

/** Asks a yes/no question on the terminal; only "y" or "yes" is a yes. */
export async function confirm(question: string): Promise<boolean> {
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await terminal.question(`${question} [y/N] `)).trim());
  } finally {
    terminal.close();
  }
}
