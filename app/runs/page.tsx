import type { Metadata } from 'next';
import { Preloaded } from '@/app/components/preload';
import { displayZone, paramsOf, preload, searchParamsOf, viewer } from '@/app/components/server-data';
import { fetchWindowOf, readFilters, tableUrl, TIMELINE_FIRST_PAGE, timelineUrl } from './runs-query';
import { RunsView } from './runs-view';

export const metadata: Metadata = { title: 'Runs' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/**
 * The first page of the table and of the timeline come with the HTML, for the URL's filters and
 * the window at `now` in the zone the browser shows times in (as its cookies say; else UTC).
 */
export default async function RunsPage({ searchParams }: Props) {
  const filters = readFilters(searchParamsOf(await searchParams));
  const now = Date.now();
  const window = fetchWindowOf(filters, now, displayZone(await viewer()));
  const timeline = timelineUrl(filters, window, TIMELINE_FIRST_PAGE);
  const table = tableUrl(filters, window);
  const preloaded = await preload(
    {
      [timeline]: (ui) => ui.timeline(paramsOf(timeline)),
      [table]: (ui) => ui.runs(paramsOf(table)),
    },
    now,
  );
  return (
    <Preloaded {...preloaded}>
      <RunsView />
    </Preloaded>
  );
}
