'use client';
/**
 * Client-side context for every page: the shared live event stream. Once the page is hydrated:
 * the input made before (early-input.ts) goes to the page's handlers, the browser's time-zone
 * choice goes into cookies (for the next server render), and <html> gets `data-hydrated`.
 */
import { useEffect, type ReactNode } from 'react';
import { HYDRATED_ATTRIBUTE, replayEarlyInput } from './early-input';
import { EventStreamProvider } from './events';
import { rememberViewer } from './time';

export function Providers({ children }: { children: ReactNode }) {
  useEffect(() => {
    replayEarlyInput();
    rememberViewer();
    document.documentElement.setAttribute(HYDRATED_ATTRIBUTE, '');
  }, []);
  return <EventStreamProvider>{children}</EventStreamProvider>;
}
