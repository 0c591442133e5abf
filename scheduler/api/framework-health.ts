/**
 * The Mesos framework's health as the dashboard shows it: its connection, offers, counters, and
 * the last framework events (a ring of `recentEvents`, filled from the scheduler's event bus).
 */
import type { Clock } from '../ports';
import type { LiveScheduler } from './live-scheduler';
import type { MasterView } from './master-view';
import type { FrameworkHealth } from './ui-types';

export interface FrameworkHealthDeps {
  clock: Clock;
  live: LiveScheduler;
  master: Pick<MasterView, 'url'>;
  /** Framework events kept. */
  recentEvents: number;
}

export class FrameworkHealthService {
  private recent: FrameworkHealth['recent'] = [];

  constructor(private readonly deps: FrameworkHealthDeps) {
    const push = (kind: string, detail: string) => {
      this.recent.unshift({ at: deps.clock.now(), kind, detail });
      if (this.recent.length > deps.recentEvents) this.recent.length = deps.recentEvents;
    };
    deps.live.onBus((bus) => [
      bus.on('framework', (e) => push(e.kind, e.detail ?? '')),
      bus.on('error', (e) => {
        if (e.where === 'mesos') push('error', e.message);
      }),
    ]);
  }

  framework(): FrameworkHealth {
    const fw = this.deps.live.current()?.framework ?? null;
    const recent = this.recent.map((r) => ({ ...r }));
    if (!fw) {
      return {
        configured: false,
        connected: false,
        frameworkId: null,
        master: this.deps.master.url(),
        lastEventAt: null,
        lastOfferAt: null,
        suppressed: false,
        counters: {},
        recent,
      };
    }
    const st = fw.state();
    return {
      configured: true,
      connected: st.connected,
      frameworkId: st.frameworkId,
      master: st.master ?? this.deps.master.url(),
      lastEventAt: st.lastEventAt,
      lastOfferAt: st.lastOfferAt,
      suppressed: st.suppressed,
      counters: { ...st.counters, reconciling: st.reconciling },
      recent,
    };
  }
}
