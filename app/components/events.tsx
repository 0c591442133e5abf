'use client';
/**
 * One EventSource on /api/events for the whole tab, shared through context.
 *
 *   <EventStreamProvider> (in the root layout's Providers)
 *   useEventStream(onEvent, onReconnect?, onOpen?)   subscribe; the callbacks should be stable (useCallback);
 *                                           onOpen is called at every (re)open after subscribing
 *   useEventStreamStatus()                  'connecting' | 'open' | 'closed' (for a status dot)
 *
 * The browser reconnects an EventSource by itself after a dropped connection; when it gives up
 * (readyState CLOSED, e.g. the server answered 5xx) we reopen it with a capped backoff. Every
 * (re)open after the first calls the onReconnect callbacks, so views refetch what they missed.
 */
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { UiEvent } from '@/scheduler/api/ui-types';

export type StreamStatus = 'connecting' | 'open' | 'closed';

type Listener = (e: UiEvent) => void;

interface Hub {
  subscribe(onEvent: Listener, onReconnect?: () => void, onOpen?: () => void): () => void;
}

const HubContext = createContext<Hub | null>(null);
const StatusContext = createContext<StreamStatus>('connecting');

export function EventStreamProvider({ children, url = '/api/events' }: { children: ReactNode; url?: string }) {
  const listeners = useRef(new Set<Listener>());
  const reconnectors = useRef(new Set<() => void>());
  const openers = useRef(new Set<() => void>());
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const hub = useRef<Hub>({
    subscribe(onEvent, onReconnect, onOpen) {
      listeners.current.add(onEvent);
      if (onReconnect) reconnectors.current.add(onReconnect);
      if (onOpen) openers.current.add(onOpen);
      return () => {
        listeners.current.delete(onEvent);
        if (onReconnect) reconnectors.current.delete(onReconnect);
        if (onOpen) openers.current.delete(onOpen);
      };
    },
  });

  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let attempts = 0;
    let openedBefore = false;
    let stopped = false;

    const open = () => {
      if (stopped) return;
      setStatus('connecting');
      source = new EventSource(url);
      source.onopen = () => {
        attempts = 0;
        setStatus('open');
        if (openedBefore) for (const r of [...reconnectors.current]) r();
        openedBefore = true;
        for (const o of [...openers.current]) o();
      };
      source.onmessage = (m) => {
        let event: UiEvent;
        try {
          event = JSON.parse(m.data) as UiEvent;
        } catch {
          return;
        }
        for (const l of [...listeners.current]) {
          try {
            l(event);
          } catch (e) {
            console.warn('event listener failed', e);
          }
        }
      };
      source.onerror = () => {
        if (!source || source.readyState !== EventSource.CLOSED) {
          setStatus('connecting');
          return;
        }
        setStatus('closed');
        source.close();
        const delay = Math.min(30_000, 1000 * 2 ** attempts++);
        retry = setTimeout(open, delay);
      };
    };
    open();
    return () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      source?.close();
    };
  }, [url]);

  return (
    <HubContext.Provider value={hub.current}>
      <StatusContext.Provider value={status}>{children}</StatusContext.Provider>
    </HubContext.Provider>
  );
}

/** Subscribe to every UiEvent (and to reconnects, and opens). Pass stable callbacks (useCallback). */
export function useEventStream(onEvent: Listener, onReconnect?: () => void, onOpen?: () => void): void {
  const hub = useContext(HubContext);
  useEffect(() => {
    if (!hub) return;
    return hub.subscribe(onEvent, onReconnect, onOpen);
  }, [hub, onEvent, onReconnect, onOpen]);
}

export function useEventStreamStatus(): StreamStatus {
  return useContext(StatusContext);
}
