/** An empty state: what is missing and what to do about it. */
import type { ReactNode } from 'react';

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="rounded-lg border border-dashed border-gray-300 px-6 py-10 text-center dark:border-gray-700">
      <p className="text-base font-semibold">{title}</p>
      {children ? <div className="mx-auto mt-2 max-w-xl text-sm text-gray-600 dark:text-gray-400">{children}</div> : null}
      {action ? <div className="mt-4 flex justify-center gap-2">{action}</div> : null}
    </div>
  );
}
