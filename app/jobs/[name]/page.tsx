import type { Metadata } from 'next';
import { JobDetailView } from '../../components/job-detail-view';
import { jobDetailUrls } from '../../components/urls';
import { Preloaded } from '../../components/preload';
import { preload } from '../../components/server-data';

type Props = { params: Promise<{ name: string }>; searchParams: Promise<{ version?: string | string[] }> };

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: decode((await params).name) };
}

/** The job, its next runs and the first page of its run history come with the HTML. */
export default async function JobPage({ params, searchParams }: Props) {
  const name = decode((await params).name);
  // ?version=n: that version of the change history is open (a run page links there)
  const v = (await searchParams).version;
  const version = typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : null;
  const urls = jobDetailUrls(name);
  const preloaded = await preload({
    [urls.detail]: (ui) => ui.jobDetail(name),
    [urls.next]: (ui) => ui.jobNext(name, 10),
    [urls.history]: (ui) => ui.runs(new URLSearchParams({ job: name, limit: '50' })),
  });
  return (
    <Preloaded {...preloaded}>
      <JobDetailView key={name} name={name} version={version} />
    </Preloaded>
  );
}
