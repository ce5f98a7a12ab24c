import { describe, expect, it } from 'vitest';
import { agentImageFor, parseAgentImages } from './agent-images.js';

describe('parseAgentImages', () => {
  it('reads name → image, or name → {image, command}', () => {
    expect(
      parseAgentImages(
        '{"python": "warmgate/agent-py:dev", "r": {"image": "r@sha256:ab", "command": ["x"]}}',
      ),
    ).toEqual({
      python: { image: 'warmgate/agent-py:dev' },
      r: { image: 'r@sha256:ab', command: ['x'] },
    });
  });

  it('names what is wrong', () => {
    expect(() => parseAgentImages('nope')).toThrow(/expected JSON/);
    expect(() => parseAgentImages('["x"]')).toThrow(/JSON object/);
    expect(() => parseAgentImages('{"Py": "x:1"}')).toThrow(/agent name "Py"/);
    expect(() => parseAgentImages('{"typescript-mcp": "x:1"}')).toThrow(/built in/);
    expect(() => parseAgentImages('{"py": "x; rm -rf /"}')).toThrow(/py: "image"/);
    expect(() => parseAgentImages('{"py": {"image": "x:1", "command": []}}')).toThrow(
      /py: "command"/,
    );
  });
});

describe('agentImageFor', () => {
  const images = { python: { image: 'warmgate/agent-py:dev' } };
  it('is the agent image in role mcp for the default agent and typescript-mcp', () => {
    for (const agent of [undefined, 'typescript', 'typescript-mcp']) {
      expect(agentImageFor(agent, images, 'warmgate/agent:dev')).toEqual({
        image: 'warmgate/agent:dev',
        command: ['mcp'],
      });
    }
    expect(agentImageFor('python', images, 'warmgate/agent:dev')).toEqual(images.python);
    expect(agentImageFor('other', images, 'warmgate/agent:dev')).toBeUndefined();
  });
});
