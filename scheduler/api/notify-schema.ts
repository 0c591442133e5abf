/**
 * The job JSON's `notifications` (Sisyphus's, beyond Chronos; written back only when set):
 *
 *   "notifications": {
 *     "rules": [{ "events": ["failed", "recovered"], "channels": ["mail", "slack"] }],
 *     "webhookUrl": "https://hooks.example.com/etl"
 *   }
 *
 * Without `rules`, a job is notified as Chronos notifies (failed, disabled, deleted on every
 * channel); with them, exactly what they name. Unknown keys, events or channels are refused (400
 * naming the field), so a typo never silences a job.
 */
import { z } from 'zod';
import { CHANNEL_NAMES, NOTIFY_KINDS, type ChannelName, type NotifyKind } from '../core/notify-events';
import type { JobNotifications } from '../core/notify-route';

const oneOf = <T extends string>(values: readonly T[], what: string) =>
  z.string({ error: `must be ${what}: ${values.join(', ')}` }).refine((v): v is T => (values as readonly string[]).includes(v), { error: `must be ${what}: ${values.join(', ')}` });

const rule = z
  .object(
    {
      events: z.array(oneOf<NotifyKind>(NOTIFY_KINDS, 'an event'), { error: 'must be an array of events' }).min(1, { error: 'must name at least one event' }),
      channels: z.array(oneOf<ChannelName>(CHANNEL_NAMES, 'a channel'), { error: 'must be an array of channels' }).min(1, { error: 'must name at least one channel' }),
    },
    { error: 'must be an object with events and channels' },
  )
  .strict();

const httpUrl = z.string({ error: 'must be a string' }).refine(
  (v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  },
  { error: 'must be an http(s) URL' },
);

export const notificationsSchema = z.preprocess(
  (v) => (v === null ? undefined : v),
  z
    .object(
      {
        rules: z.array(rule, { error: 'must be an array of rules' }).max(20, { error: 'must have at most 20 rules' }).optional(),
        webhookUrl: httpUrl.max(2048, { error: 'must be at most 2048 characters' }).optional(),
      },
      { error: 'must be an object with rules and/or webhookUrl' },
    )
    .strict()
    .optional(),
);

/** What the schema gives is a job's notification settings. */
export type ParsedNotifications = z.output<typeof notificationsSchema> & (JobNotifications | undefined);
