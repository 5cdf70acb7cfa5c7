// Keeping the k largest of a stream of scores (the greedy ranked pick in constraints.ts, sampling's
// top-k in sampling.ts): one insertion step, in place, in plain or typed arrays.

type Slots = { [index: number]: number };

/**
 * Writes (id, value) at slot `i` of descending `values`/`ids` and moves it up past smaller values.
 * Strictly smaller moves down: an equal value keeps its lower (earlier) id first.
 */
export function siftIn(ids: Slots, values: Slots, i: number, id: number, value: number): void {
  while (i > 0 && (values[i - 1] as number) < value) {
    values[i] = values[i - 1] as number;
    ids[i] = ids[i - 1] as number;
    i--;
  }
  values[i] = value;
  ids[i] = id;
}

/** Offers (id, value) to `ids`/`values`, the k largest so far, largest first. */
export function offerTopK(ids: number[], values: number[], k: number, id: number, value: number): void {
  if (ids.length < k) {
    ids.push(id);
    values.push(value);
    siftIn(ids, values, ids.length - 1, id, value);
  } else if (value > (values[k - 1] as number)) {
    siftIn(ids, values, k - 1, id, value);
  }
}
