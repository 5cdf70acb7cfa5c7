// Tiny DOM helpers. Page text only ever goes in through textContent: catalog and model text is
// untrusted and must never be parsed as HTML.
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function must<T extends Element>(root: ParentNode, selector: string): T {
  const node = root.querySelector<T>(selector);
  if (!node) throw new Error(`demo: ${selector} is missing from index.html`);
  return node;
}
