/**
 * Automated accessibility checks with axe-core, injected into the page under test (the context
 * bypasses the app's CSP for exactly this). Serious and critical violations fail the test with a
 * readable list; every scan's counts are appended to artifacts/axe-results.jsonl.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import type { AxeResults, Result } from 'axe-core';
import { artifactsDir } from './env.ts';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The standards the scan holds pages to: WCAG 2.2 A and AA, plus axe's best practices. */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

export type Impact = 'minor' | 'moderate' | 'serious' | 'critical';

export interface ScanSummary {
  url: string;
  violations: Record<Impact, number>;
  rules: string[];
}

/** Runs axe over the whole document as it is now. */
export async function scan(page: Page): Promise<AxeResults> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  return page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
  }, TAGS);
}

export function describeViolations(violations: Result[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 5)
        .map((n) => `      ${n.target.join(' ')}\n        ${(n.failureSummary ?? '').replace(/\n/g, '\n        ')}`)
        .join('\n');
      const more = v.nodes.length > 5 ? `\n      … and ${v.nodes.length - 5} more` : '';
      return `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes}${more}`;
    })
    .join('\n');
}

function summarise(url: string, results: AxeResults): ScanSummary {
  const violations: Record<Impact, number> = { minor: 0, moderate: 0, serious: 0, critical: 0 };
  for (const v of results.violations) if (v.impact) violations[v.impact] += v.nodes.length;
  return { url, violations, rules: results.violations.map((v) => `${v.impact}:${v.id}`) };
}

/**
 * Fails when the page as it is now has any serious or critical axe violation; returns the counts
 * of all of them (minor and moderate ones are recorded, not fatal). `label` names the state in the
 * record (e.g. "login, wrong password").
 */
export async function expectNoSeriousA11yViolations(page: Page, label = ''): Promise<ScanSummary> {
  const results = await scan(page);
  const path = new URL(page.url()).pathname + new URL(page.url()).search;
  const summary = summarise(label ? `${path} (${label})` : path, results);
  mkdirSync(artifactsDir, { recursive: true });
  appendFileSync(`${artifactsDir}axe-results.jsonl`, `${JSON.stringify({ ...summary, viewport: page.viewportSize() })}\n`);
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length > 0) {
    throw new Error(`axe: ${bad.length} serious/critical violation(s) on ${summary.url}:\n${describeViolations(bad)}`);
  }
  return summary;
}
