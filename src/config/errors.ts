/** A setting that cannot be used (config file, baseline, flag): the CLI prints it and exits 2. */
export class SettingsError extends Error {}
