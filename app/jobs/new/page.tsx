import type { Metadata } from 'next';
import { JobEditor } from '../../components/editor/job-editor';
import { Preloaded } from '../../components/preload';
import { preload } from '../../components/server-data';
import { newJobSchedule, previewUrl } from '../../components/urls';

export const metadata: Metadata = { title: 'New job' };

/** The form comes with the preview of its default schedule (daily from the next hour of `now`). */
export default async function NewJobPage() {
  const now = Date.now();
  const schedule = newJobSchedule(now);
  const preloaded = await preload(
    {
      [previewUrl(schedule, '')]: (ui) => ui.preview(schedule, '', 10),
    },
    now,
  );
  return (
    <Preloaded {...preloaded}>
      <JobEditor />
    </Preloaded>
  );
}
