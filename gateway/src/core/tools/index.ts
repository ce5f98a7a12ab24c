export {
  createToolCatalog,
  type AgentSource,
  type ToolCatalog,
  type ToolCatalogOptions,
} from './tool-catalog.js';
export { exposeTools, type ExposedTool } from './tool-names.js';
export { checkToolArguments, parseToolArguments, maxArgumentBytes } from './tool-arguments.js';
