// Keeping the k largest of a stream of scores, for the greedy ranked pick (constraints.ts): one
// insertion step, in place. (sampling.ts keeps its own typed-array copy with a k-th threshold: the
// hottest loop of sampling, profiled.)

/**
 * Offers (id, value) to `ids`/`values`, the k largest so far, largest first. Strictly smaller moves
 * down: an equal value keeps its lower (earlier) id first.
 */
export function offerTopK(ids: number[], values: number[], k: number, id: number, value: number): void {
  let i: number;
  if (ids.length < k) {
    i = ids.length;
    ids.push(id);
    values.push(value);
  } else if (value > (values[k - 1] as number)) {
    i = k - 1;
  } else {
    return;
  }
  while (i > 0 && (values[i - 1] as number) < value) {
    values[i] = values[i - 1] as number;
    ids[i] = ids[i - 1] as number;
    i--;
  }
  values[i] = value;
  ids[i] = id;
}
