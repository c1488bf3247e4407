import { ApiClient } from './api-client';
import { currentSession } from './session';

/** What every command gets: how to print, and the API as the logged-in user. */
export interface Context {
  json: boolean;
  /** The API client of the stored session; fails with "log in" when there is none or it expired. */
  client(): Promise<ApiClient>;
  /** The command's result: `value` as JSON with --json, else the text for people. */
  result(value: unknown, human: () => string): void;
  /** A remark for people (warnings, progress) on stderr, never mixed into --json output. */
  note(text: string): void;
}

export function createContext(json: boolean): Context {
  return {
    json,
    async client() {
      return ApiClient.of(await currentSession());
    },
    result(value, human) {
      const text = json ? JSON.stringify(value, null, 2) : human();
      if (text) process.stdout.write(`${text}\n`);
    },
    note(text) {
      process.stderr.write(`${text}\n`);
    },
  };
}
