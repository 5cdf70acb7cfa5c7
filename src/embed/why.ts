// The "Why this?" panel: plain sentences about what shaped a reason, from the reason's cited facts
// and the ranking features. Plain text only; shown with textContent.
import type { RankedItem, Reason } from '../types.ts';

const list = (values: readonly string[]): string => values.filter(Boolean).join(', ');

export function whyLines(reason: Reason | undefined, ranked: RankedItem | undefined, personal: boolean): string[] {
  const lines: string[] = [];
  if (reason) {
    const fromItem = reason.facts.filter((f) => f.from === 'item').map((f) => f.value);
    const fromHistory = reason.facts.filter((f) => f.from === 'history').map((f) => f.value);
    if (fromItem.length > 0) lines.push(`About this item: ${list(fromItem)}.`);
    if (fromHistory.length > 0) lines.push(`From your activity here: ${list(fromHistory)}.`);
    // The content plan: what the engine allowed this reason to say (docs/plan-and-slots.md).
    const plan = reason.plan;
    if (plan && plan.mode === 'history' && plan.history.length > 0) {
      lines.push(`Chosen because it shares ${list(plan.facts.map((f) => f.value))} with ${list(plan.history.map((h) => h.title))} from your activity.`);
    } else if (plan) {
      lines.push(`Chosen from this item's own facts${plan.facts.length > 0 ? `: ${list(plan.facts.map((f) => f.value))}` : ''}.`);
    }
    if (reason.source === 'fallback') lines.push('Written from the item facts (no generated text).');
  }
  for (const feature of ranked?.features ?? []) {
    if (feature.value <= 0) continue;
    if (feature.name === 'shared-facts' && feature.facts?.length) lines.push(`Shares ${list(feature.facts)} with things you looked at.`);
    else if (feature.name === 'similar-titles' && feature.facts?.length) lines.push(`Similar to ${list(feature.facts)}.`);
  }
  lines.push(
    personal
      ? 'Made on this device from your activity on this site; nothing about you is sent anywhere.'
      : 'Made on this device from the item facts only; no activity of yours is used.',
  );
  return lines;
}
