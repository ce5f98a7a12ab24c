import { AuthMode, ErrorCode, WarmgateError } from '@warmgate/proto';
import { describe, expect, it } from 'vitest';
import type { PlatformTools, ToolDescriptor } from '../ports.js';
import { fakeAgent, principal, userTool } from '../turn/fake-agent.test-support.js';
import { parseToolArguments } from './tool-arguments.js';
import { createToolCatalog } from './tool-catalog.js';
import { exposeTools } from './tool-names.js';

const platformTool = (name: string): ToolDescriptor => ({
  ...userTool(name),
  route: 'platform',
});

const platform: PlatformTools = {
  list: () => [platformTool('market_quote'), platformTool('time_now')],
  call: async (name) => {
    const { create } = await import('@bufbuild/protobuf');
    const { gatewayv1 } = await import('@warmgate/proto');
    return create(gatewayv1.CallToolResponseSchema, {
      content: [{ kind: { case: 'text', value: `platform ${name}` } }],
    });
  },
};

async function codeOf(promise: Promise<unknown>): Promise<ErrorCode | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return WarmgateError.from(error).code;
  }
}

describe('name-clash rule', () => {
  it('keeps the platform name and exposes the user tool as user_<name>', () => {
    const exposed = exposeTools(
      [platformTool('market_quote')],
      [userTool('market_quote'), userTool('user_market_quote'), userTool('mine')],
    );
    expect(exposed.map((t) => [t.descriptor.name, t.descriptor.route, t.targetName])).toEqual([
      ['market_quote', 'platform', 'market_quote'],
      ['user_user_market_quote', 'user', 'market_quote'],
      ['user_market_quote', 'user', 'user_market_quote'],
      ['mine', 'user', 'mine'],
    ]);
  });
});

describe('tool catalog', () => {
  const agent = fakeAgent({ tools: [userTool('market_quote'), userTool('save_note', false)] });
  const catalog = createToolCatalog(platform);
  const signal = new AbortController().signal;

  it('routes platform and renamed user tools', async () => {
    const names = (await catalog.list(agent, principal(), { signal })).map((t) => t.name);
    expect(names).toEqual(['market_quote', 'time_now', 'user_market_quote', 'save_note']);
    const viaPlatform = await catalog.call(agent, principal(), 'market_quote', {}, { signal });
    expect(viaPlatform.content[0]!.kind.value).toBe('platform market_quote');
    await catalog.call(agent, principal(), 'user_market_quote', { a: 1 }, { signal });
    expect(agent.calls).toContainEqual({ name: 'market_quote', args: { a: 1 } });
  });

  it('gives public principals read-only tools only', async () => {
    const anonymous = principal(AuthMode.PUBLIC);
    const names = (await catalog.list(agent, anonymous, { signal })).map((t) => t.name);
    expect(names).not.toContain('save_note');
    expect(await codeOf(catalog.call(agent, anonymous, 'save_note', {}, { signal }))).toBe(
      ErrorCode.PERMISSION_DENIED,
    );
  });

  it('refuses unknown tools and bad arguments with precise codes', async () => {
    expect(await codeOf(catalog.call(agent, principal(), 'nope', {}, { signal }))).toBe(
      ErrorCode.NOT_FOUND,
    );
    expect(await codeOf(catalog.call(agent, principal(), 'time_now', [1], { signal }))).toBe(
      ErrorCode.INVALID_ARGUMENT,
    );
    const big = { text: 'x'.repeat(70_000) };
    expect(await codeOf(catalog.call(agent, principal(), 'time_now', big, { signal }))).toBe(
      ErrorCode.INVALID_ARGUMENT,
    );
  });

  it('routes by the tool list the agent has now: a changed list is exposed anew', async () => {
    const fixed = [platformTool('market_quote'), platformTool('time_now')];
    const stable = createToolCatalog({ ...platform, list: () => fixed });
    const options = { tools: [userTool('market_quote'), userTool('note_get')] };
    const changing = fakeAgent(options);
    await stable.call(changing, principal(), 'user_market_quote', {}, { signal });
    await stable.call(changing, principal(), 'note_get', {}, { signal });
    // tools/list_changed: the upstream hands out a new list.
    options.tools = [userTool('note_list')];
    expect(await codeOf(stable.call(changing, principal(), 'note_get', {}, { signal }))).toBe(
      ErrorCode.NOT_FOUND,
    );
    await stable.call(changing, principal(), 'note_list', {}, { signal });
    expect(changing.calls.map((c) => c.name)).toEqual(['market_quote', 'note_get', 'note_list']);
  });

  it('parses model arguments: empty is {}, arrays and bad JSON are refused', () => {
    expect(parseToolArguments('')).toEqual({});
    expect(parseToolArguments('{"a":1}')).toEqual({ a: 1 });
    expect(() => parseToolArguments('[1]')).toThrow('JSON object');
    expect(() => parseToolArguments('{oops')).toThrow('not valid JSON');
  });
});
