import type { LoaderFunctionArgs } from '@remix-run/cloudflare';
import { appointmentIcs } from './s.$slug_.booked.$id.server';

/** "Add to calendar": the booked appointment as an .ics download (resource route, no page). */
export async function loader({ context, request, params }: LoaderFunctionArgs) {
  return appointmentIcs(context.services, request, params.slug, params.id);
}
