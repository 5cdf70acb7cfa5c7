// Page-side probes shared by the embed e2e tests (run inside the browser via page.evaluate).
import type { Page } from 'playwright-core';

export interface RegionState {
  host: string;
  role: string | null;
  busy: string | null;
  live: string | null;
  text: string;
  /** Tag names inside the shadow root: only the embed's own elements may appear. */
  tags: string[];
}

/** Every reason region (auto-mounted hosts and <because-reason> elements) with its ARIA state and text. */
export function regions(page: Page): Promise<RegionState[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('[data-because-host], because-reason')).map((host) => {
      const root = (host as HTMLElement).shadowRoot;
      const status = root?.querySelector('[role="status"]') ?? null;
      return {
        host: host.localName,
        role: status?.getAttribute('role') ?? null,
        busy: status?.getAttribute('aria-busy') ?? null,
        live: status?.getAttribute('aria-live') ?? null,
        text: (status?.textContent ?? '').trim(),
        tags: root ? [...new Set(Array.from(root.querySelectorAll('*')).map((e) => e.localName))].sort() : [],
      };
    }),
  );
}

/** Waits until every placed reason has finished (done or error). */
export async function waitForReasons(page: Page, timeout = 300_000, atLeast = 1): Promise<void> {
  await page.waitForFunction(
    (min) => {
      const because = (window as unknown as { because?: { reasons(): { placed: string; state: string }[] } }).because;
      const placed = because?.reasons().filter((r) => r.placed !== 'none') ?? [];
      return placed.length >= min && placed.every((r) => r.state === 'done' || r.state === 'error');
    },
    atLeast,
    { timeout, polling: 250 },
  );
}

export interface Snapshot {
  key: string;
  storeId: string;
  title: string;
  state: string;
  text: string;
  source?: string;
  placed: string;
}

export function reasons(page: Page): Promise<Snapshot[]> {
  return page.evaluate(() => (window as unknown as { because: { reasons(): Snapshot[] } }).because.reasons());
}

/** The tags the reason UI itself creates: anything else in a shadow root would be injected. */
export const OWN_TAGS = ['button', 'div', 'li', 'p', 'span', 'style', 'ul'];
