/**
 * The demo shops `npm start` seeds, read from the seed itself so the specs follow it, and the
 * API calls that arrange bookings around a spec (finding a free slot, taking it first).
 */
import { DEMO_SHOPS } from '../../../worker/db/seed/demo.ts';
import { api } from './api.ts';
import type { Client } from './accounts.ts';

export type DemoShop = (typeof DEMO_SHOPS)[number];

function demoShop(slug: string): DemoShop {
  const shop = DEMO_SHOPS.find((s) => s.slug === slug);
  if (!shop) throw new Error(`the seed has no shop ${slug}`);
  return shop;
}

/** New York, USD, a 20 % deposit and a card kept on file for fees. */
export const fadeStreet = demoShop('fade-street');
/** London, GBP, a £5 deposit. */
export const kingsCross = demoShop('kings-cross-cuts');

/** Seeded shops that take no deposit or prepayment (a booking is confirmed at once). */
export function freeShops(): DemoShop[] {
  return DEMO_SHOPS.filter((s) => !s.policy.deposit && !(s.policy as { prepay?: unknown }).prepay);
}

export interface ShopDetail {
  id: string;
  slug: string;
  name: string;
  timezone: string;
  currency: string;
  barbers: { id: string; display_name: string; bio: string; services: { service_id: string; name: string; price_cents: number; duration_min: number }[] }[];
  services: { id: string; name: string; price_cents: number; duration_min: number }[];
}

export function shopDetail(slug: string): Promise<ShopDetail> {
  return api<ShopDetail>(`/api/v1/shops/${slug}`);
}

export interface Slot {
  start: string;
  end: string;
}

/** A barber's free slots for a service from `from` (YYYY-MM-DD) on, as the API sees them now. */
export async function freeSlots(barberId: string, serviceId: string, from: string): Promise<Slot[]> {
  const res = await api<{ slots: Slot[] }>(`/api/v1/barbers/${barberId}/availability?service_id=${serviceId}&from=${from}`);
  return res.slots;
}

/** The date `days` from today, as YYYY-MM-DD (UTC; availability is asked from a date on). */
export function dayFromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

export interface Booked {
  id: string;
  status: string;
  start_time: string;
  payment: { payment_intent_id: string; amount: number } | null;
}

/** Books a slot as `client` through the API — e.g. to take a slot a page is still offering. */
export function bookThroughApi(client: Client, slot: { barberId: string; serviceId: string; start: string }): Promise<Booked> {
  return api<Booked>('/api/v1/appointments', {
    token: client.accessToken,
    body: { barber_id: slot.barberId, service_id: slot.serviceId, start_time: slot.start },
  });
}
