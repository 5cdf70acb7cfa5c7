// Consent gate for the on-device profile. With `data-consent="required"` nothing is stored (not
// even an IndexedDB database is opened) until the page calls `because.consent(true)`; until then,
// and after `consent(false)`, reasons use item facts only. The decision itself is not persisted:
// the store's consent manager calls `because.consent(...)` on every page load.

export type ConsentMode = 'implied' | 'required';

/** Reads a `data-consent` attribute value; anything but "required" means consent is implied. */
export function parseConsentMode(value: string | null | undefined): ConsentMode {
  return typeof value === 'string' && value.trim().toLowerCase() === 'required' ? 'required' : 'implied';
}

export class ConsentGate {
  private state: boolean;
  private readonly listeners = new Set<(granted: boolean) => void>();

  constructor(readonly mode: ConsentMode) {
    this.state = mode === 'implied';
  }

  /** True when events may be stored and the history may shape reasons. */
  get granted(): boolean {
    return this.state;
  }

  /** Grants or withdraws consent. Returns the new state; listeners run only on a change. */
  set(granted: unknown): boolean {
    const next = granted === true;
    if (next !== this.state) {
      this.state = next;
      for (const listener of this.listeners) {
        try {
          listener(next);
        } catch {
          // a listener's failure must not undo the decision
        }
      }
    }
    return this.state;
  }

  onChange(listener: (granted: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
