import { safeLocale } from './format';

/**
 * The visitor's locale from Accept-Language: the first tag with a non-zero weight that Intl can
 * use. Pages format money and times with it; the shop's zone still decides which clock is shown.
 */
export function visitorLocale(request: Request): string {
  const header = request.headers.get('Accept-Language');
  if (!header) return 'en';
  const tags = header
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q ? Number(q.slice(2)) : 1;
      return { tag: tag?.trim() ?? '', weight: Number.isFinite(weight) ? weight : 0, i };
    })
    .filter((t) => t.tag && t.tag !== '*' && t.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.i - b.i);
  for (const { tag } of tags) {
    const locale = safeLocale(tag);
    if (locale !== 'en' || tag.toLowerCase().startsWith('en')) return locale;
  }
  return 'en';
}
