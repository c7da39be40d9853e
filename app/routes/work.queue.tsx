import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { useActionData, useLoaderData } from '@remix-run/react';
import { useHydrated } from '../components/hydrated';
import { PageProblem } from '../components/office-nav';
import { WalkInQueue } from '../components/walk-in-queue';
import css from '../styles/walk-ins.css?url';
import { privateHeaders } from './account.server';
import { addWalkIn, loadQueue } from './work.queue.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: css }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.page ? `Walk-ins — ${data.page.shop.name} — BookedBarber` : 'Walk-ins — BookedBarber' }];

export const headers = privateHeaders;

export async function loader({ context, request }: LoaderFunctionArgs) {
  return loadQueue(context.services, request, null);
}

export async function action({ context, request }: ActionFunctionArgs) {
  return addWalkIn(context.services, request, null);
}

export default function WorkQueuePage() {
  const { page, problem } = useLoaderData<typeof loader>();
  const posted = useActionData<typeof action>();
  const hydrated = useHydrated();
  if (!page) return <PageProblem title="Walk-ins" problem={problem} hydrated={hydrated} />;
  return (
    <section data-hydrated={hydrated ? 'true' : 'false'}>
      <WalkInQueue view={page} posted={posted} />
    </section>
  );
}
