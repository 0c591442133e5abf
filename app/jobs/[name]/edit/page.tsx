import type { Metadata } from 'next';
import { JobEditor } from '../../../components/job-editor';

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

export default async function EditJobPage({ params }: Props) {
  const name = decode((await params).name);
  return <JobEditor key={name} name={name} />;
}
