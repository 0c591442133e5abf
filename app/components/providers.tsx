'use client';
/** Client-side context for every page: the shared live event stream. */
import type { ReactNode } from 'react';
import { EventStreamProvider } from './events';

export function Providers({ children }: { children: ReactNode }) {
  return <EventStreamProvider>{children}</EventStreamProvider>;
}
