import { describe, expect, it } from 'vitest';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchemaType } from '@modelcontextprotocol/sdk/validation/types.js';
import { createSharedSchemaValidator } from './shared-schema-validator.js';

const schema = (): JsonSchemaType => ({
  type: 'object',
  properties: { price: { type: 'number' }, at: { type: 'string', format: 'date-time' } },
  required: ['price'],
});

describe('the shared JSON Schema validator', () => {
  it('compiles a schema once by its text, and validates as Ajv with formats does', () => {
    const ajv = new AjvJsonSchemaValidator();
    let compiles = 0;
    const shared = createSharedSchemaValidator({
      getValidator: (s) => {
        compiles++;
        return ajv.getValidator(s);
      },
    });
    const first = shared.getValidator(schema());
    const second = shared.getValidator(schema()); // another object, same text
    expect(second).toBe(first);
    expect(compiles).toBe(1);
    expect(first({ price: 1, at: '2026-11-30T22:00:00Z' }).valid).toBe(true);
    expect(first({ at: '2026-11-30T22:00:00Z' }).valid).toBe(false);
    expect(first({ price: 1, at: 'yesterday' }).valid).toBe(false);
  });

  it('keeps at most its bound of schemas, dropping the oldest', () => {
    const shared = createSharedSchemaValidator(new AjvJsonSchemaValidator(), 2);
    const a = shared.getValidator({ type: 'string' });
    shared.getValidator({ type: 'number' });
    shared.getValidator({ type: 'boolean' });
    expect(shared.size).toBe(2);
    expect(shared.getValidator({ type: 'string' })).not.toBe(a);
    expect(shared.size).toBe(2);
  });
});
