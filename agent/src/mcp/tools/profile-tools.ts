// The user's profile (preferences, trading style) and custom system prompt.
import { z } from 'zod';
import { errors } from '@warmgate/proto';
import { PROFILE_FILE, SYSTEM_PROMPT_FILE, type Profile } from '../../workspace/layout.js';
import { readProfile, readSystemPrompt, toJsonFile } from '../../workspace/records.js';
import { defineTool, mutate } from '../tool-kit.js';

export const MAX_SYSTEM_PROMPT = 16 * 1024;

export const profileTools = [
  defineTool({
    name: 'profile_get',
    title: 'Get profile',
    description:
      "The user's profile: display name, trading style, risk tolerance, markets, preferences.",
    input: {},
    readOnly: true,
    run: async (_args, context) => readProfile(context.serving.workspace),
  }),
  defineTool({
    name: 'profile_update',
    title: 'Update profile',
    description:
      'Update profile fields; fields left out stay. `preferences` entries are merged (an empty string removes one).',
    input: {
      display_name: z.string().max(200).optional(),
      trading_style: z.string().max(2000).optional(),
      risk_tolerance: z.enum(['low', 'medium', 'high']).optional(),
      markets: z.array(z.string().min(1).max(64)).max(50).optional(),
      preferences: z.record(z.string().min(1).max(64), z.string().max(500)).optional(),
    },
    readOnly: false,
    async run(args, context) {
      let next: Profile | undefined;
      const fields = Object.keys(args).filter(
        (k) => (args as Record<string, unknown>)[k] !== undefined,
      );
      const { commit } = await mutate(
        context,
        `Profile: update ${fields.join(', ') || 'nothing'}`,
        async (changes) => {
          const profile = await readProfile(context.serving.workspace);
          const preferences = { ...profile.preferences };
          for (const [key, value] of Object.entries(args.preferences ?? {})) {
            if (value === '') delete preferences[key];
            else preferences[key] = value;
          }
          if (Object.keys(preferences).length > 50) {
            throw errors.invalidArgument('preferences: at most 50 entries');
          }
          next = {
            displayName: args.display_name ?? profile.displayName,
            tradingStyle: args.trading_style ?? profile.tradingStyle,
            riskTolerance: args.risk_tolerance ?? profile.riskTolerance,
            markets: args.markets ?? profile.markets,
            preferences,
          };
          changes.write(PROFILE_FILE, toJsonFile(next));
        },
      );
      return { profile: next, commit };
    },
  }),
  defineTool({
    name: 'system_prompt_get',
    title: 'Get system prompt',
    description: "The user's own instructions for the assistant (Markdown).",
    input: {},
    readOnly: true,
    run: async (_args, context) => ({ text: await readSystemPrompt(context.serving.workspace) }),
  }),
  defineTool({
    name: 'system_prompt_set',
    title: 'Set system prompt',
    description:
      "Replace the user's own instructions for the assistant (Markdown, at most 16 KiB).",
    input: { text: z.string().max(MAX_SYSTEM_PROMPT) },
    readOnly: false,
    async run(args, context) {
      const text = args.text.endsWith('\n') ? args.text : `${args.text}\n`;
      if (Buffer.byteLength(text) > MAX_SYSTEM_PROMPT) {
        throw errors.invalidArgument(`text: at most ${MAX_SYSTEM_PROMPT} bytes`);
      }
      const { commit } = await mutate(context, 'System prompt: update', (changes) =>
        changes.write(SYSTEM_PROMPT_FILE, text),
      );
      return { commit, bytes: Buffer.byteLength(text) };
    },
  }),
];
