// What is shown of a reason the token limit cut mid-sentence.
import { MIN_REASON_WORDS, reasonWords } from '../core/grounding.ts';

/**
 * A reason cut by the token limit ends mid-sentence: keep it up to its last complete sentence (when
 * that leaves at least MIN_REASON_WORDS words), else mark the cut with '…'. The shown text is always a
 * prefix of what the model wrote; grounding then checks exactly what is shown.
 */
export function trimCut(text: string): string {
  const t = text.trim();
  let end = -1;
  for (const m of t.matchAll(/[.!?…。！？](?=["'”’)\]]?(\s|$))/gu)) end = (m.index ?? 0) + m[0].length;
  if (end > 0 && reasonWords(t.slice(0, end)).length >= MIN_REASON_WORDS) return t.slice(0, end);
  return t ? `${t.replace(/[\s,;:–-]+$/u, '')}…` : t;
}

/** A candidate's text as shown: cut ones trimmed, others as written. */
export const shownText = (candidate: { text: string; stop: string }): string => (candidate.stop === 'length' ? trimCut(candidate.text) : candidate.text.trim());
