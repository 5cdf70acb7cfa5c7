// Does a reason speak of the visitor's past? For a new visitor (empty history) any such sentence is
// false: "Based on your history, you enjoy …", "Because you played …", "your usual picks".
const PAST = 'played|enjoyed|watched|read|listened to|bought|purchased|liked|loved|visited|owned|rated|clicked|viewed|browsed|tried';
const PATTERNS: readonly RegExp[] = [
  /\b(?:based on|given|judging by|considering|looking at|according to|in line with|matching|match) (?:your|the user's)\b/i,
  /\byour (?:\w+ ){0,3}(?:history|usual picks|past|previous|recent|prior|preferences?|tastes?|interests?|favou?rites?|likes|purchases|choices|library|collection)\b/i,
  new RegExp(String.raw`\b(?:you|you've|you have|you had|you've been|you recently|you previously)\s+(?:\w+\s+){0,2}?(?:${PAST})\b`, 'i'),
  /\b(?:since|as|because|given that|now that) you (?:\w+ ){0,2}?(?:like|love|enjoy|prefer|are into|are a fan)\b/i,
  /\b(?:similar to|like|just like) (?:the )?(?:\w+ )?(?:games|movies|films|books|albums|songs|products|items|ones|titles|things|places|stories|articles) (?:that )?you\b/i,
  /\bas (?:a|an) (?:\w+ )?fan of\b/i,
  /\bas someone who\b/i,
  /\bthe user(?:'s|’s)? (?:\w+ )?(?:has|have|had|previously|enjoyed|liked|history|interests?|preferences?|shown|played|watched|read|visited)\b/i,
];

/** The phrases of `text` that claim something about the visitor's history or tastes. */
export function historyClaims(text: string): string[] {
  const out: string[] = [];
  for (const re of PATTERNS) {
    const m = re.exec(text);
    if (m) out.push(m[0]);
  }
  return out;
}
