/**
 * Row factories shared by the demo seed and tests: each returns an insert object with sensible
 * defaults; pass overrides for what the test cares about. Unique fields get a per-process
 * sequence plus a random run token, so tests sharing a database never collide.
 */
import {
  DEFAULT_SHOP_POLICY,
  type NewAppointment,
  type NewBarber,
  type NewBarberService,
  type NewMembership,
  type NewNotification,
  type NewPayment,
  type NewService,
  type NewShop,
  type NewTimeOff,
  type NewUser,
  type NewWorkingHours,
} from '../schema';

const run = Math.random().toString(36).slice(2, 8);
let seq = 0;
/** A short token unique within this process run, safe in slugs and e-mails. */
export function uniq(): string {
  seq += 1;
  return `${run}${seq}`;
}

const MINUTE_MS = 60_000;

export function buildShop(overrides: Partial<NewShop> = {}): NewShop {
  const u = uniq();
  return {
    slug: `shop-${u}`,
    name: `Shop ${u}`,
    timezone: 'America/New_York',
    currency: 'USD',
    policy: DEFAULT_SHOP_POLICY,
    ...overrides,
  };
}

export function buildUser(overrides: Partial<NewUser> = {}): NewUser {
  const u = uniq();
  return {
    email: `user-${u}@example.test`,
    firstName: 'Test',
    lastName: `User ${u}`,
    ...overrides,
  };
}

export function buildMembership(
  ids: Pick<NewMembership, 'userId' | 'shopId'>,
  overrides: Partial<NewMembership> = {},
): NewMembership {
  return { role: 'client', ...ids, ...overrides };
}

export function buildBarber(
  ids: Pick<NewBarber, 'userId' | 'shopId'>,
  overrides: Partial<NewBarber> = {},
): NewBarber {
  return { displayName: `Barber ${uniq()}`, bio: '', ...ids, ...overrides };
}

export function buildService(
  ids: Pick<NewService, 'shopId'>,
  overrides: Partial<NewService> = {},
): NewService {
  return {
    name: `Service ${uniq()}`,
    description: '',
    priceCents: 3000,
    currency: 'USD',
    durationMin: 30,
    ...ids,
    ...overrides,
  };
}

export function buildBarberService(
  ids: Pick<NewBarberService, 'barberId' | 'serviceId'>,
  overrides: Partial<NewBarberService> = {},
): NewBarberService {
  return { priceCents: null, durationMin: null, ...ids, ...overrides };
}

export function buildWorkingHours(
  ids: Pick<NewWorkingHours, 'barberId'>,
  overrides: Partial<NewWorkingHours> = {},
): NewWorkingHours {
  return { weekday: 1, startMinute: 9 * 60, endMinute: 17 * 60, ...ids, ...overrides };
}

export function buildTimeOff(
  ids: Pick<NewTimeOff, 'barberId'>,
  overrides: Partial<NewTimeOff> = {},
): NewTimeOff {
  const startsAt = overrides.startsAt ?? new Date('2030-01-01T09:00:00Z');
  return {
    startsAt,
    endsAt: new Date(startsAt.getTime() + 4 * 60 * MINUTE_MS),
    reason: 'Time off',
    ...ids,
    ...overrides,
  };
}

/** Defaults to a confirmed 30-minute USD appointment; endTime follows startTime. */
export function buildAppointment(
  ids: Pick<NewAppointment, 'shopId' | 'barberId' | 'clientId' | 'serviceId'>,
  overrides: Partial<NewAppointment> & { durationMin?: number } = {},
): NewAppointment {
  const { durationMin = 30, ...rest } = overrides;
  const startTime = rest.startTime ?? new Date('2030-01-07T15:00:00Z');
  const status = rest.status ?? 'confirmed';
  return {
    startTime,
    endTime: new Date(startTime.getTime() + durationMin * MINUTE_MS),
    status,
    holdExpiresAt: status === 'held' ? new Date(startTime.getTime() - 60 * MINUTE_MS) : null,
    priceCents: 3000,
    currency: 'USD',
    depositCents: 0,
    ...ids,
    ...rest,
  };
}

export function buildPayment(
  ids: Pick<NewPayment, 'appointmentId'>,
  overrides: Partial<NewPayment> = {},
): NewPayment {
  return {
    stripePaymentIntentId: `pi_test_${uniq()}`,
    amountCents: 1000,
    currency: 'USD',
    kind: 'deposit',
    status: 'succeeded',
    ...ids,
    ...overrides,
  };
}

export function buildNotification(overrides: Partial<NewNotification> = {}): NewNotification {
  return {
    dedupeKey: `test:${uniq()}`,
    channel: 'email',
    recipient: 'someone@example.test',
    template: 'appointment_confirmed',
    payload: {},
    ...overrides,
  };
}

/**
 * A stable UUID (RFC 4122 version-5 layout, SHA-1 of `name` in our namespace) so seeded rows
 * get the same id on every run — re-running the seed then hits ON CONFLICT instead of duplicating.
 */
export async function seedUuid(name: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-1', new TextEncoder().encode(`bookedbarber-seed:${name}`)),
  );
  const b = digest.slice(0, 16);
  b[6] = ((b[6] as number) & 0x0f) | 0x50;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
