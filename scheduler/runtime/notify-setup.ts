/**
 * The process's notifications, set up once from the settings: the channels' settings checked
 * (core/notify-settings.ts; a bad one turns its channel off, never stops the process), the
 * channels built (scheduler/adapters/notify), the router the worker and the API put events into the
 * outbox with, and what the deliverer needs. Problems (a bad setting, a server unreachable at start)
 * are logged once and listed for the notifications page.
 */
import { createChannels } from '../adapters/notify';
import type { ChannelName } from '../core/notify-events';
import { notifyRouter, type NotifyRouter } from '../core/notify-route';
import { checkNotifySettings, configuredChannels, type ChannelProblem } from '../core/notify-settings';
import type { Config } from '../config';
import type { NotifyChannel } from '../ports';
import { LONG_RUN_POLL_MS, type LongRunWatchSettings } from './long-run-watch';
import { DELIVERER_DEFAULTS, type DelivererSettings } from './notify-deliverer';

export interface NotifyProblem extends ChannelProblem {
  /** When it was found (epoch ms). */
  at: number;
}

export interface NotifySetup {
  router: NotifyRouter;
  channels: Map<ChannelName, NotifyChannel>;
  /** The channels that send (configured and well formed). */
  configured: ChannelName[];
  settings: DelivererSettings;
  /** When a run is "still running", and how often the leader looks (long-run-watch.ts). */
  longRun: LongRunWatchSettings;
  /** Configuration problems and failed start checks, oldest first. */
  problems: NotifyProblem[];
  /** Checks that the servers can be reached (once); each failure is reported and listed. */
  verify(): Promise<void>;
}

export function notifySetup(cfg: Config['notify'], report: (message: string) => void, now: () => number = Date.now, overrides: Partial<DelivererSettings> = {}): NotifySetup {
  const { channels: parsed, problems } = checkNotifySettings(cfg.input);
  const listed: NotifyProblem[] = problems.map((p) => ({ ...p, at: now() }));
  for (const p of problems) report(`notifications: ${p.setting} ${p.message}; ${p.channel} notifications are off`);
  const configured = configuredChannels(parsed);
  const channels = createChannels(parsed);
  let verified: Promise<void> | null = null;
  return {
    router: notifyRouter(configured, cfg.gatherMs),
    channels,
    configured: [...configured],
    settings: { baseUrl: cfg.baseUrl, windowMs: cfg.windowMs, digestAfter: cfg.digestAfter, maxAttempts: cfg.maxAttempts, ...DELIVERER_DEFAULTS, ...overrides },
    longRun: { ...cfg.longRun, pollMs: LONG_RUN_POLL_MS },
    problems: listed,
    verify() {
      verified ??= Promise.all(
        [...channels.values()].map(async (c) => {
          if (!c.verify) return;
          try {
            await c.verify();
          } catch (e) {
            const message = `unreachable at start: ${(e as Error).message}; notifications wait and are retried`;
            listed.push({ channel: c.name, setting: c.name === 'mail' ? 'MAIL_SERVER' : c.name, message, at: now() });
            report(`notifications: ${message}`);
          }
        }),
      ).then(() => {});
      return verified;
    },
  };
}
