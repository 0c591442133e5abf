import type { Metadata } from 'next';
import { parseJobPageQuery } from '@/scheduler/api/ui-service';
import { JobsView } from '../components/jobs/jobs-view';
import { filtersFrom, JOBS_PAGE, jobsApiUrl } from '../components/jobs/jobs-filters';
import { Preloaded } from '../components/preload';
import { paramsOf, preload, searchParamsOf } from '../components/server-data';

export const metadata: Metadata = { title: 'Jobs' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** The first page of the URL's search and filters comes with the HTML (the view fetches the rest). */
export default async function JobsPage({ searchParams }: Props) {
  const url = jobsApiUrl(filtersFrom(searchParamsOf(await searchParams)), 0, JOBS_PAGE);
  const preloaded = await preload({ [url]: (ui) => ui.jobs(parseJobPageQuery(paramsOf(url))) });
  return (
    <Preloaded {...preloaded}>
      <JobsView />
    </Preloaded>
  );
}
