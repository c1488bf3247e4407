/** A failure the user can act on: its message is printed as is, and the command exits 1. */
export class CliError extends Error {
  readonly exitCode: number = 1;
}

/** Bad flags or arguments, caught after commander's own checks: exits 2 like commander's errors. */
export class UsageError extends CliError {
  override readonly exitCode: number = 2;
}
