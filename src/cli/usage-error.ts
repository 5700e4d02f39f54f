/** A mistake in how evalaudit was called: the CLI prints it, points to --help and exits 2. */
export class UsageError extends Error {}
