import type { Metadata } from 'next';
import { JobDetailView } from '../../components/job-detail-view';

type Props = { params: Promise<{ name: string }> };

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

export default async function JobPage({ params }: Props) {
  const name = decode((await params).name);
  return <JobDetailView key={name} name={name} />;
}
