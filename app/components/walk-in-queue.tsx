import { useFetcher } from '@remix-run/react';
import { useEffect, useRef } from 'react';
import type { QueueView } from '../routes/work.queue.server';
import { isFailure, useAutoRefresh, WalkInPersonFields, type WalkInFailure } from './walk-in-fields';

type AddResult = { ok: true; id: string; text: string } | (WalkInFailure & { status?: number });

const REFRESH_MS = 30_000;

/** The shop's live queue (walk-ins in order, each barber's next free time) and the desk's "Add walk-in". */
export function WalkInQueue({ view, posted }: { view: QueueView; posted?: unknown }) {
  const revalidator = useAutoRefresh(REFRESH_MS);
  const waiting = view.entries.filter((e) => e.status === 'waiting' || e.status === 'next' || e.status === 'in_chair');
  return (
    <div className="walk-in-queue">
      <h1>{`Walk-ins at ${view.shop.name}`}</h1>
      <p className="muted" aria-live="polite">
        {`As of ${view.nowText} (${view.shop.zoneName}) · ${waiting.length === 0 ? 'nobody waiting' : `${waiting.length} in the queue`}`}
        {revalidator.state === 'loading' ? ' · updating…' : ''}
      </p>

      <section aria-labelledby="queue-heading">
        <h2 id="queue-heading">Queue</h2>
        {view.entries.length === 0 ? (
          <p>No walk-ins today yet.</p>
        ) : (
          <div className="walk-in-table-wrap">
            <table className="walk-in-table">
              <caption className="sr-only">Walk-ins in order</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Client</th>
                  <th scope="col">Service</th>
                  <th scope="col">Barber</th>
                  <th scope="col">Starts</th>
                  <th scope="col">Wait</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {view.entries.map((e) => (
                  <tr key={e.id} className={`walk-in-row status-${e.status}`}>
                    <td data-label="#">{e.position}</td>
                    <th scope="row" data-label="Client">
                      {e.firstName}
                    </th>
                    <td data-label="Service">{e.service}</td>
                    <td data-label="Barber">{e.barber}</td>
                    <td data-label="Starts">{e.time}</td>
                    <td data-label="Wait">{e.wait}</td>
                    <td data-label="Status">{e.statusText}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="barbers-heading">
        <h2 id="barbers-heading">Barbers</h2>
        <div className="walk-in-table-wrap">
          <table className="walk-in-table walk-in-barbers">
            <thead>
              <tr>
                <th scope="col">Barber</th>
                <th scope="col">Next free</th>
                <th scope="col">Booked today</th>
              </tr>
            </thead>
            <tbody>
              {view.barbers.map((b) => (
                <tr key={b.id}>
                  <th scope="row" data-label="Barber">
                    {b.name}
                    {b.id === view.ownBarberId ? ' (you)' : ''}
                  </th>
                  <td data-label="Next free">{b.nextFree}</td>
                  <td data-label="Booked today">{b.booked}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <AddWalkIn view={view} posted={posted} />
    </div>
  );
}

/**
 * The desk's form: the same join as the public page, as the signed-in barber or owner. It posts to
 * the page it is on (that route's action handles `intent=walk_in`).
 */
export function AddWalkIn({
  view,
  heading = 'Add walk-in',
  defaultBarber,
  posted,
}: {
  view: Pick<QueueView, 'shop' | 'barbers' | 'services' | 'ownBarberId'>;
  heading?: string;
  defaultBarber?: string;
  /** A document post's answer (no JavaScript): shown the same way as the fetcher's. */
  posted?: unknown;
}) {
  const fetcher = useFetcher<AddResult>();
  const busy = fetcher.state !== 'idle';
  const fromPost = typeof posted === 'object' && posted !== null && 'walkIn' in posted ? (posted as unknown as AddResult) : undefined;
  const result = fetcher.state === 'idle' ? (fetcher.data ?? fromPost) : undefined;
  const failure = isFailure(result) ? result : null;
  const placed = result && result.ok === true ? result : null;
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (placed) form.current?.reset();
  }, [placed]);
  const own = view.barbers.find((b) => b.id === view.ownBarberId) ?? null;
  return (
    <section aria-labelledby="add-walk-in-heading" className="card walk-in-add">
      <h2 id="add-walk-in-heading">{heading}</h2>
      {view.services.length === 0 ? (
        <p>This shop has no services to offer yet.</p>
      ) : (
        <fetcher.Form method="post" ref={form} className="stack" noValidate>
          <input type="hidden" name="intent" value="walk_in" />
          <input type="hidden" name="shop" value={view.shop.id} />
          <input type="hidden" name="tz" value={view.shop.timezone} />
          {view.ownBarberId ? <input type="hidden" name="own_barber" value={view.ownBarberId} /> : null}
          <label>
            <span>Service</span>
            <select name="service" required defaultValue="">
              <option value="" disabled>
                Choose a service
              </option>
              {view.services.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
            {failure?.fields.service ? <span className="error-text">{failure.fields.service}</span> : null}
          </label>
          <label>
            <span>Barber</span>
            <select name="barber" defaultValue={defaultBarber ?? own?.id ?? 'any'}>
              {own ? <option value={own.id}>{`Me (${own.name})`}</option> : null}
              <option value="any">Any barber (first free)</option>
              {view.barbers
                .filter((b) => b.id !== own?.id)
                .map((b) => (
                  <option key={b.id} value={b.id}>
                    {b.name}
                  </option>
                ))}
            </select>
            {failure?.fields.barber ? <span className="error-text">{failure.fields.barber}</span> : null}
          </label>
          <WalkInPersonFields failure={failure} idPrefix="desk" />
          <button type="submit" className="primary" disabled={busy} aria-disabled={busy}>
            {busy ? 'Placing…' : 'Add to the queue'}
          </button>
          <div aria-live="polite" className="walk-in-result">
            {placed ? <p className="notice">{placed.text}</p> : null}
            {failure ? <p className="error-text">{failure.text}</p> : null}
          </div>
        </fetcher.Form>
      )}
    </section>
  );
}
