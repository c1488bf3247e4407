export interface ConfigFileLocation {
  /** The kind of file, as users call it: `openrc`, `clouds.yaml`, `secure.yaml`. */
  file: string;
  line?: number;
}

/** A site configuration file that cannot be used as it is; the message says where and what to fix. */
export class ConfigFileError extends Error {
  readonly file: string;
  readonly line?: number;

  constructor(problem: string, location: ConfigFileLocation) {
    super(
      `${location.file}${location.line === undefined ? '' : ` line ${location.line}`}: ${problem}`,
    );
    this.name = 'ConfigFileError';
    this.file = location.file;
    this.line = location.line;
  }
}
