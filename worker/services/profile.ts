/**
 * A client's profile and the channels booking messages reach them on. The queue consumer reads
 * `notify_email` / `notify_sms` at send time (worker/queue/consumer.ts), so a change here applies
 * to the next message, reminders already queued included. Account messages (verification,
 * password reset) always go by e-mail, whatever is chosen here.
 */
import { profileQuery, updateProfile } from '../db/queries/client-pages';
import { decryptPhone, encryptPhone } from '../lib/crypto';
import { ApiError } from '../lib/errors';
import type { Services } from './container';

export interface Profile {
  email: string;
  first_name: string;
  last_name: string;
  phone: string | null;
  email_verified: boolean;
  notify_email: boolean;
  notify_sms: boolean;
  /** The client texted STOP: no SMS until they text START, whatever notify_sms says. */
  sms_opted_out: boolean;
}

export async function getProfile(services: Services, userId: string): Promise<Profile> {
  const row = await profileQuery(services.db, userId);
  if (!row) throw new ApiError('not_found', 'No such user');
  const { phone_enc, ...rest } = row;
  return { ...rest, phone: phone_enc ? await decryptPhone(phone_enc, services.config.FIELD_ENCRYPTION_KEYS, services.logger) : null };
}

export interface ProfileChanges {
  first_name: string;
  last_name: string;
  /** Empty or null removes the phone. */
  phone: string | null;
  notify_email: boolean;
  notify_sms: boolean;
}

export async function saveProfile(services: Services, userId: string, changes: ProfileChanges): Promise<Profile> {
  const phone = await encryptPhone(changes.phone, services.config.FIELD_ENCRYPTION_KEYS);
  const saved = await updateProfile(services.db, userId, {
    firstName: changes.first_name,
    lastName: changes.last_name,
    phoneEnc: phone.phoneEnc,
    phoneLast4: phone.phoneLast4,
    notifyEmail: changes.notify_email,
    notifySms: changes.notify_sms,
  });
  if (!saved) throw new ApiError('not_found', 'No such user');
  services.logger.info('profile updated', { user_id: userId });
  return getProfile(services, userId);
}
