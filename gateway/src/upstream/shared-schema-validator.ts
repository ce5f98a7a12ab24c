// One JSON Schema validator for every MCP client of the gateway. The SDK's Client makes its
// own Ajv instance (with formats) when given none: about 2 ms of CPU per new user's MCP
// session, on the path from WebSocket connect to the first tool result, repeated by every
// user of a burst. A compiled validator is shared by the schema's text, so agents that list
// the same tool output schemas compile them once; the cache is bounded (an agent can list any
// schema it likes).
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type {
  JsonSchemaType,
  JsonSchemaValidator,
  jsonSchemaValidator,
} from '@modelcontextprotocol/sdk/validation/types.js';

/** Compiled validators kept at most; the oldest goes first. */
const MAX_SCHEMAS = 256;

export function createSharedSchemaValidator(
  inner: jsonSchemaValidator = new AjvJsonSchemaValidator(),
  maxSchemas = MAX_SCHEMAS,
): jsonSchemaValidator & { readonly size: number } {
  const compiled = new Map<string, JsonSchemaValidator<unknown>>();
  return {
    get size() {
      return compiled.size;
    },
    getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
      const key = JSON.stringify(schema);
      let validator = compiled.get(key);
      if (!validator) {
        validator = inner.getValidator<unknown>(schema);
        if (compiled.size >= maxSchemas) compiled.delete(compiled.keys().next().value!);
        compiled.set(key, validator);
      }
      return validator as JsonSchemaValidator<T>;
    },
  };
}

let shared: jsonSchemaValidator | undefined;

/** The process's validator, made on first use. */
export function sharedSchemaValidator(): jsonSchemaValidator {
  return (shared ??= createSharedSchemaValidator());
}
