import type { Metadata } from 'next';
import { RunView } from '../../components/run/run-view';
import { Preloaded } from '../../components/preload';
import { preload } from '../../components/server-data';
import { runDetailUrl } from '../../components/urls';

type Props = { params: Promise<{ taskId: string }> };

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const id = decode((await params).taskId);
  return { title: `Run ${id.split(':')[3] ?? id}` };
}

/** The run's attempts come with the HTML. */
export default async function RunPage({ params }: Props) {
  const taskId = decode((await params).taskId);
  const preloaded = await preload({ [runDetailUrl(taskId)]: (ui) => ui.runDetail(taskId) });
  return (
    <Preloaded {...preloaded}>
      <RunView key={taskId} taskId={taskId} />
    </Preloaded>
  );
}
