// time_now: the current time, so the model never guesses "today" from its training data.
import { errors } from '@warmgate/proto';
import { descriptor, type PlatformTool } from './market-tools.js';
import { readOptionalString } from './tool-args.js';
import { toolResult } from './tool-result.js';

export function timeTools(): PlatformTool[] {
  const now: PlatformTool = {
    descriptor: descriptor(
      'time_now',
      'The current date and time (UTC, and optionally in a time zone).',
      {
        type: 'object',
        properties: {
          timezone: {
            type: 'string',
            description: 'IANA time zone, e.g. America/New_York.',
            maxLength: 64,
          },
        },
        additionalProperties: false,
      },
    ),
    run(args, time) {
      const timezone = readOptionalString(args, 'timezone', { max: 64 });
      const iso = new Date(time).toISOString();
      let local: string | undefined;
      if (timezone) {
        try {
          local = new Intl.DateTimeFormat('en-GB', {
            timeZone: timezone,
            dateStyle: 'full',
            timeStyle: 'long',
          }).format(time);
        } catch (cause) {
          throw errors.invalidArgument(`unknown time zone "${timezone}"`, cause);
        }
      }
      const text = local ? `${iso} (UTC); in ${timezone}: ${local}` : `${iso} (UTC)`;
      return toolResult(text, { iso, epochMs: time, timezone, local });
    },
  };
  return [now];
}
