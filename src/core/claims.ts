// Claims about the visitor's past ("based on your history", "since you played", "you enjoyed"):
// true only when the visitor has a history. Used to clean new-visitor training rows
// (scripts/prepare-v2.ts) and by the open-vocabulary check. Pure; no DOM.

// Each pattern is one way a reason speaks of what the visitor did or likes. Case-insensitive, on
// word boundaries; curly apostrophes are folded before matching.
const PATTERNS: readonly RegExp[] = [
  /\b(based on|given|from|considering|according to|judging by|looking at|in line with|in light of|thanks to|reflecting)\s+(your|the user'?s?|their)\s+([\w-]+\s+){0,3}(history|histories|record|records|activity|activities|past|preferences?|interests?|taste|tastes|habits?|choices|selections|behaviou?r|picks|favou?rites|library|collection|purchases|reviews|ratings|likes|love)\b/i,
  /\b(your|the user'?s|their)\s+([\w-]+\s+){0,4}(history|histories|record|records|past)\b/i,
  /\b(your|the user'?s)\s+(previous|previously|past|prior|earlier|recent|recently|usual|recorded|historical|already)\b/i,
  /\b(as|for)\s+(you\s+as\s+)?(a|an)\s+([\w'-]+\s+){0,2}(fan|fans|enthusiast|lover|aficionado|devotee|follower|connoisseur|admirer|regular)\b/i,
  /\byou\s+(have|'ve|had)\s+(not|never)\s+/i,
  /\b(since|because|as|now that|given that)\s+you\s+(('ve|have|already|previously|recently|also|really|clearly|particularly|seem to have|seemed to|apparently)\s+)*(played|watched|read|listened|viewed|visited|bought|purchased|enjoyed|liked|loved|rated|reviewed|finished|owned|seen|shown|played|checked)\b/i,
  /\byou\s+(('ve|have|had|already|previously|recently|also|really|clearly|particularly|seem to have|seemed to|apparently|frequently|often|always|usually|typically|tend to|tended to|not|never|mostly|mainly|consistently|regularly)\s+)+(played|watched|read|listened|viewed|visited|bought|purchased|enjoyed|liked|loved|rated|reviewed|finished|owned|seen|shown|been|spent|checked|engaged|gravitated|explored|favou?red|appreciated|demonstrated|expressed|displayed|preferred|chosen|selected|consumed|followed|experienced|tried)\b/i,
  /(?<!\b(if|whether|when|who|anyone)\s)\byou\s+(enjoyed|liked|loved|played|watched|listened to|viewed|visited|bought|purchased|rated|reviewed|seemed|appreciated|favou?red|gravitated)\b/i,
  /\b(as|for)\s+(someone|somebody|a person|a fan|one)\s+(who|with)\b/i,
  /\byou\s+(have|had)\s+(a|an)\s+([\w-]+\s+)?(preference|liking|fondness|soft spot|taste|interest|love|passion|penchant|affinity)\b/i,
  /\byou\s+(haven't|hadn't)\b/i,
  /\byou\s+(seem|appear)\s+to\s+(enjoy|like|love|prefer|have|be|appreciate|favou?r|gravitate)\b/i,
  /\b(your|the user'?s)\s+(favou?rite|preferred|go-to)\b/i,
  /\b(your|the user'?s)\s+(interests?|preferences?|tastes?|liking|fondness|love|passion|penchant|affinity|enjoyment|appreciation|enthusiasm)\s+(in|for|of)\b/i,
  /\b(your|the user'?s)\s+([\w-]+\s+){0,2}(interests?|preferences?|tastes?|liking|favou?rites|style)\b/i,
  /\b(you|the user)\s+(are|were|'re|is|have been)\s+(\w+\s+)?(interested|into|fond|keen|passionate|drawn)\b/i,
  /\bfamiliar\b/i,
  /\byour\s+([\w-]+\s+){0,2}(categor(y|ies)|genres?|topics?|subcategor(y|ies))\s+(of\s+interest|you)\b/i,
  /\b(categor(y|ies)|genres?|topics?)\s+(of\s+your\s+interest|you\s+(like|love|enjoy|prefer|follow))/i,
  /\byour\s+([\w-]+\s+)?(collection|library|backlog|rotation|lineup|watchlist|playlist|shelf|bookshelf)\b/i,
  /\byou\s+have\s+had\b/i,
  // "falls under the products you have previously": the verb left out, the claim still made.
  /\byou\s+(have|had)\s+(previously|already|recently|before|in\s+the\s+past)\b/i,
  /\b(similar|like)\s+(the\s+)?(other|previous|earlier)\b/i,
  /\b(similar|like|akin)\s+to\s+(what|the ones?|those|others?|many|some)\s+(you|the user)\b/i,
  /\b(you('ve| have)?|the user( has)?)\s+(shown|demonstrated|expressed|displayed)\s+(an?\s+)?(interest|preference|liking|love|fondness)\b/i,
  /\b(you|the user)\s+(tend|tends|usually|often|typically|always)\b/i,
  /\b(many|some|most|all|the ones|those|others?|titles|games|movies|films|books|articles|news|stories|places)\s+(that\s+)?you('ve| have)?\s+(already\s+)?(played|watched|read|listened to|viewed|visited|bought|enjoyed|liked|seen)\b/i,
  // "falls under the same action genre": the same as what? For a new visitor only the history could be meant.
  /\bthe\s+same\s+(?!time\b)/i,
  // "If you enjoy co-op games" is a conditional, fine for a new visitor; "you enjoy co-op games" is a claim.
  /(?<!\b(if|whether|when|who|anyone|everyone|those)\s)\b(you|the user)\s+(really\s+)?(enjoy|like|love|prefer|appreciate)s?\b/i,
];

/**
 * The phrases of `text` that claim something about the visitor's history or tastes, in order of
 * appearance (contractions 'you've'/'you'd' spelled out). Empty when there are none. Present-tense preference claims ("you enjoy
 * action games") count too: without a history, nothing backs them.
 */
export function historyClaims(text: string): string[] {
  // Contractions spelled out so one pattern covers "you've played" and "you have played".
  const folded = typeof text === 'string' ? text.replace(/[\u2018\u2019\u02BC]/g, "'").replace(/\byou've\b/gi, 'you have').replace(/\byou'd\b/gi, 'you had') : '';
  const found: { at: number; phrase: string }[] = [];
  for (const pattern of PATTERNS) {
    const m = pattern.exec(folded);
    if (m) found.push({ at: m.index, phrase: m[0] });
  }
  found.sort((a, b) => a.at - b.at);
  return found.map((f) => f.phrase);
}

/** Whether `text` claims anything about the visitor's history or tastes. */
export function hasHistoryClaim(text: string): boolean {
  return historyClaims(text).length > 0;
}
