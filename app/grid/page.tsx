import type { Metadata } from 'next';
import { GridView } from '../components/grid/grid-view';
import { Preloaded } from '../components/preload';
import { preload, searchParamsOf } from '../components/server-data';
import { gridDataUrl, type GridQuery } from '../components/urls';

export const metadata: Metadata = { title: 'Pipeline grid' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** The grid of the URL's group comes with the HTML. */
export default async function GridPage({ searchParams }: Props) {
  const sp = searchParamsOf(await searchParams);
  const n = Number(sp.get('n'));
  const query: GridQuery = {
    job: sp.get('job') ?? undefined,
    prefix: sp.get('prefix') ?? undefined,
    owner: sp.get('owner') ?? undefined,
    n: Number.isInteger(n) && n > 0 ? n : undefined,
  };
  const url = gridDataUrl(query);
  const preloaded = await preload({ [url]: (ui) => ui.grid(new URL(url, 'http://localhost').searchParams) });
  return (
    <Preloaded {...preloaded}>
      <GridView key={url} query={query} />
    </Preloaded>
  );
}
