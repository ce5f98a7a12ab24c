/** A service's configuration is invalid: one error listing every bad setting, each by name. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    /** "gateway", "pool manager", "agent". */
    readonly service: string,
    /** One line per bad setting, each starting with the setting's name. */
    readonly problems: readonly string[],
  ) {
    super(`invalid ${service} configuration:\n  ${problems.join('\n  ')}`);
  }
}
