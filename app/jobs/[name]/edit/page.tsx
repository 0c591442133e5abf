import type { Metadata } from 'next';
import { parseJobPageQuery } from '@/scheduler/api/ui-service';
import { JobEditor } from '../../../components/editor/job-editor';
import { Preloaded } from '../../../components/preload';
import { paramsOf, preload } from '../../../components/server-data';
import { jobDetailUrls, parentSearchUrl } from '../../../components/urls';

type Props = { params: Promise<{ name: string }> };

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Edit ${decode((await params).name)}` };
}

/** The job's values come with the HTML (and the parent picker's first list). */
export default async function EditJobPage({ params }: Props) {
  const name = decode((await params).name);
  const preloaded = await preload({
    [jobDetailUrls(name).detail]: (ui) => ui.jobDetail(name),
    [parentSearchUrl('')]: (ui) => ui.jobs(parseJobPageQuery(paramsOf(parentSearchUrl('')))),
  });
  return (
    <Preloaded {...preloaded}>
      <JobEditor key={name} name={name} />
    </Preloaded>
  );
}
