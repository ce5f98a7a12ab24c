export { ConfigError } from './config-error.js';
export {
  parseBoolean,
  parseDuration,
  parseInteger,
  parseNumber,
  parsePort,
  type DurationOptions,
  type DurationUnit,
  type NumberRange,
} from './parse.js';
export { Settings, type Env } from './settings.js';
