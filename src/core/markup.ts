// Page markup in generated text: an HTML tag, an entity or a special-token marker. A model that
// copies such text from a hostile description must not have it shown as its reason (the engine
// answers with a labelled fallback instead); reasons are rendered as text, so this is about honesty
// and looks, not script injection. Pure; no DOM.

/**
 * A tag opening, closed or not (`<b>`, `</div>`, `<!--`, `<img src=x onerr` cut by the token limit),
 * an entity (`&lt;`, `&#60;`), a special-token marker (`<|`, `|>`). "a < b", "<3" and "R&D" are not markup.
 */
export const MARKUP = /<[a-z!?/]|&(?:[a-z][a-z0-9]{1,31}|#\d{1,7}|#x[0-9a-f]{1,6});|<\||\|>/i;

/** True when `text` contains page markup (see MARKUP). */
export function hasMarkup(text: string): boolean {
  return MARKUP.test(text);
}
