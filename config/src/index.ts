export { ConfigError } from './config-error.js';
export * from './parse.js';
export { Settings, type Env } from './settings.js';
