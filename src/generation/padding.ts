// Batching prompts of different lengths: left padding with positions that count real tokens only, a
// shared prompt prefix prefilled once, and groups whose prefill stays within a memory budget.
export interface Padded {
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  positionIds: BigInt64Array;
  width: number;
}

/**
 * Left-pads prompts to one width. Positions count real tokens only (0..len-1, pads get 1 as in
 * transformers), so a padded row sees exactly what it would see alone.
 */
export function leftPad(rows: readonly (readonly number[])[], padId: number): Padded {
  const width = Math.max(1, ...rows.map((r) => r.length));
  const n = rows.length * width;
  const inputIds = new BigInt64Array(n).fill(BigInt(padId));
  const attentionMask = new BigInt64Array(n);
  const positionIds = new BigInt64Array(n).fill(1n);
  rows.forEach((row, r) => {
    const offset = r * width + (width - row.length);
    row.forEach((id, j) => {
      inputIds[offset + j] = BigInt(id);
      attentionMask[offset + j] = 1n;
      positionIds[offset + j] = BigInt(j);
    });
  });
  return { inputIds, attentionMask, positionIds, width };
}

/**
 * Length of the prompt prefix all rows share (e.g. domain + the visitor's history, identical for every
 * item of a page), leaving each row at least one token of its own so its last logits are its own.
 */
export function sharedPrefixLength(rows: readonly (readonly number[])[]): number {
  if (rows.length < 2) return 0;
  const first = rows[0] as readonly number[];
  let n = Math.min(...rows.map((r) => r.length)) - 1;
  for (const row of rows) {
    let k = 0;
    while (k < n && row[k] === first[k]) k++;
    n = k;
  }
  return Math.max(0, n);
}

/**
 * Feeds for the rows' own suffixes after a shared prefix of `shared` tokens is in the cache: suffixes
 * left-padded to one width S, so the pads sit between prefix and suffix (masked out); positions continue
 * from the prefix. The mask covers prefix + S.
 */
export function suffixPad(rows: readonly (readonly number[])[], shared: number, padId: number): Padded & { maskWidth: number } {
  const width = Math.max(1, ...rows.map((r) => r.length - shared));
  const maskWidth = shared + width;
  const inputIds = new BigInt64Array(rows.length * width).fill(BigInt(padId));
  const positionIds = new BigInt64Array(rows.length * width).fill(1n);
  const attentionMask = new BigInt64Array(rows.length * maskWidth);
  rows.forEach((row, r) => {
    attentionMask.fill(1n, r * maskWidth, r * maskWidth + shared);
    const suffix = row.slice(shared);
    const offset = width - suffix.length;
    suffix.forEach((id, j) => {
      inputIds[r * width + offset + j] = BigInt(id);
      positionIds[r * width + offset + j] = BigInt(shared + j);
      attentionMask[r * maskWidth + shared + offset + j] = 1n;
    });
  });
  return { inputIds, attentionMask, positionIds, width, maskWidth };
}

/**
 * Splits rows (by prompt length) into groups whose padded prefill (rows × longest prompt) stays within
 * `budget` tokens: prefill returns logits for every position, so this bounds its memory. Rows are
 * grouped shortest first; one row always forms a group. Returns row indices per group.
 */
export function splitForPrefill(lengths: readonly number[], budget: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => (lengths[a] as number) - (lengths[b] as number) || a - b);
  const groups: number[][] = [];
  let current: number[] = [];
  for (const i of order) {
    const width = Math.max(1, lengths[i] as number); // sorted: the newest row is the longest
    if (current.length > 0 && (current.length + 1) * width > budget) {
      groups.push(current);
      current = [];
    }
    current.push(i);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
