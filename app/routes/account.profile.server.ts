import { data } from '@remix-run/cloudflare';
import { z } from 'zod';
import type { Services } from '../../worker/services/container';
import { cardOnFile } from '../../worker/services/payments';
import { getProfile, saveProfile } from '../../worker/services/profile';
import { signedIn } from './account.server';

export async function loadProfile(services: Services, request: Request) {
  const { userId, headers } = await signedIn(services, request);
  const [profile, card] = await Promise.all([getProfile(services, userId), cardOnFile(services, userId)]);
  return data({ profile, card: card.card }, { headers });
}

const ProfileForm = z.object({
  first_name: z.string().trim().min(1, 'Enter your first name').max(80, 'At most 80 characters'),
  last_name: z.string().trim().min(1, 'Enter your last name').max(80, 'At most 80 characters'),
  phone: z
    .string()
    .trim()
    .max(20, 'At most 20 characters')
    .refine((v) => v === '' || /^\+?[0-9 ()-]{7,20}$/.test(v), 'Use digits, spaces, brackets or dashes, e.g. +1 212 555 0134'),
});

export type ProfileFieldErrors = Partial<Record<'first_name' | 'last_name' | 'phone', string>>;
export type ProfileResult = { ok: true } | { ok: false; fieldErrors: ProfileFieldErrors };

/** A checkbox is sent only when ticked: absent means off. */
const ticked = (form: FormData, name: string) => form.get(name) === 'on';

export async function saveProfileFromForm(services: Services, request: Request) {
  const { userId, headers } = await signedIn(services, request);
  const form = await request.formData();
  const parsed = ProfileForm.safeParse({ first_name: form.get('first_name') ?? '', last_name: form.get('last_name') ?? '', phone: form.get('phone') ?? '' });
  if (!parsed.success) {
    const fieldErrors: ProfileFieldErrors = {};
    for (const issue of parsed.error.issues) {
      const key = issue.path[0] as keyof ProfileFieldErrors;
      fieldErrors[key] ??= issue.message;
    }
    return data<ProfileResult>({ ok: false, fieldErrors }, { status: 422, headers });
  }
  await saveProfile(services, userId, {
    first_name: parsed.data.first_name,
    last_name: parsed.data.last_name,
    phone: parsed.data.phone || null,
    notify_email: ticked(form, 'notify_email'),
    notify_sms: ticked(form, 'notify_sms'),
  });
  return data<ProfileResult>({ ok: true }, { headers });
}
