/**
 * What deactivateBarber (services/management/staff.ts) does, in words: the page says it before
 * the owner confirms, and again after.
 */
export function deactivationWords(name: string): string[] {
  return [
    `${name} disappears from online booking at once: clients can no longer choose them.`,
    `Their access to this shop's back office ends (their barber membership is removed); inviting them again restores it.`,
    `Appointments still booked with ${name} are NOT moved or cancelled: they stay on ${name}'s chair until you move or cancel each one here.`,
  ];
}
