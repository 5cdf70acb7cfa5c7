// Streaming a row's text: deltas that never split a character.
import type { Detokenize } from './step.ts';

/**
 * Incremental detokenizer: re-decodes the row's tokens and emits only the new suffix. Text ending in
 * U+FFFD (a multi-byte character cut between tokens) is held back until the next token completes it.
 */
export class TextDelta {
  private emitted = '';
  constructor(private readonly detokenize: Detokenize) {}

  /** New text since the last call ('' when nothing is safe to emit yet). */
  push(tokens: readonly number[]): string {
    const text = this.detokenize(tokens);
    if (text.endsWith('\uFFFD') || !text.startsWith(this.emitted)) return '';
    const delta = text.slice(this.emitted.length);
    this.emitted = text;
    return delta;
  }

  /** The remaining text at the end (whatever the decoder gives, even a lone U+FFFD). */
  flush(tokens: readonly number[]): { text: string; delta: string } {
    const text = this.detokenize(tokens);
    const delta = text.startsWith(this.emitted) ? text.slice(this.emitted.length) : '';
    this.emitted = text;
    return { text, delta };
  }
}
