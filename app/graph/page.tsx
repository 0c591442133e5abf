import type { Metadata } from 'next';
import { GraphView } from '@/app/components/graph/graph-view';
import { Preloaded } from '@/app/components/preload';
import { preload, searchParamsOf } from '@/app/components/server-data';
import { graphUrl } from '@/app/components/urls';

export const metadata: Metadata = { title: 'Graph' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** The graph and its layout (computed on the server, kept by structure) come with the HTML. */
export default async function GraphPage({ searchParams }: Props) {
  const focus = searchParamsOf(await searchParams).get('focus') || '';
  const preloaded = await preload({ [graphUrl(focus)]: (ui) => ui.graph(focus || null, { layout: true }) });
  return (
    <Preloaded {...preloaded}>
      <GraphView />
    </Preloaded>
  );
}
