// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { mountReason } from '../../../src/embed/mount.ts';
import { readConfig } from '../../../src/embed/config.ts';
import { needsTrampoline, trampolineSource } from '../../../src/embed/cross-origin-worker.ts';
import { whyLines } from '../../../src/embed/why.ts';
import { DEFAULT_MODEL_ID } from '../../../src/defaults.ts';

function card(html = '<h3>Portal 2</h3>', tag = 'div'): HTMLElement {
  document.body.innerHTML = '';
  const el = document.createElement(tag);
  el.innerHTML = html;
  document.body.append(el);
  return el;
}

describe('reason view', () => {
  it('has a status region before any text, streams silently, announces the final text once', () => {
    const view = mountReason(card());
    const root = view.host.shadowRoot!;
    const status = root.querySelector('[role="status"]')!;
    expect(status.getAttribute('aria-live')).toBe('polite');
    expect(status.getAttribute('aria-busy')).toBe('true');
    expect(view.host.dataset.state).toBe('pending');

    view.append('Because you ');
    view.append('played');
    // Streamed text lives in an aria-hidden child while busy: not announced token by token.
    const hidden = status.querySelector('[aria-hidden="true"]')!;
    expect(hidden.textContent).toBe('Because you played');
    expect(status.getAttribute('aria-busy')).toBe('true');

    view.finish('Because you played Portal: a puzzle game.', 'model');
    expect(status.getAttribute('aria-busy')).toBe('false');
    expect(hidden.textContent).toBe('');
    expect(status.textContent).toBe('Because you played Portal: a puzzle game.');
    expect(view.host.dataset).toMatchObject({ state: 'done', source: 'model' });
  });

  it('never parses text as HTML', () => {
    const view = mountReason(card());
    view.append('<img src=x onerror="window.__x=1">');
    view.finish('<b>bold</b><script>window.__x=2</script>', 'fallback');
    const root = view.host.shadowRoot!;
    expect(root.querySelector('img, b, script')).toBeNull();
    expect(view.text).toContain('<b>bold</b>');
    expect(view.text).toContain('(from item facts)'); // fallbacks are labelled
  });

  it('an empty final reason leaves a quiet, empty region', () => {
    const view = mountReason(card());
    view.append('partial');
    view.finish('', 'fallback');
    expect(view.host.dataset.state).toBe('error');
    view.reset();
    view.fail();
    expect(view.text).toBe('');
  });

  it('"Why this?" toggles plain-text lines; "Clear my data" calls back; clicks do not reach the card', () => {
    const onClear = vi.fn();
    const el = card();
    const cardClicks = vi.fn();
    el.addEventListener('click', cardClicks);
    const view = mountReason(el, { onClear, onWhy: () => ['Shares <Puzzle>', 'Made on this device'] });
    const root = view.host.shadowRoot!;
    const why = root.querySelector<HTMLButtonElement>('button.why')!;
    why.click();
    expect(why.getAttribute('aria-expanded')).toBe('true');
    expect(Array.from(root.querySelectorAll('.details li')).map((li) => li.textContent)).toEqual(['Shares <Puzzle>', 'Made on this device']);
    why.click();
    expect(root.querySelector<HTMLElement>('.details')!.hidden).toBe(true);
    root.querySelector<HTMLButtonElement>('button.clear')!.click();
    expect(onClear).toHaveBeenCalledTimes(1);
    expect(cardClicks).not.toHaveBeenCalled();
  });

  it('goes after a card that is itself a link, inside any other card', () => {
    const link = card('Portal 2', 'a');
    const view = mountReason(link);
    expect(link.nextElementSibling).toBe(view.host);
    const div = card();
    expect(mountReason(div).host.parentElement).toBe(div);
  });
});

describe('embed config', () => {
  const script = (attrs: Record<string, string>) => ({ getAttribute: (name: string) => attrs[name] ?? null });
  const url = 'https://cdn.example/because/1.0/because-embed.js';

  it('resolves the model relative to the script, not the page', () => {
    expect(readConfig(script({}), url).model).toBe(`https://cdn.example/because/1.0/models/${DEFAULT_MODEL_ID}`);
    expect(readConfig(script({ 'data-model': '../models/m2/' }), url).model).toBe('https://cdn.example/because/models/m2');
    expect(readConfig(script({ 'data-model': 'https://models.example/m' }), url).model).toBe('https://models.example/m');
  });

  it('reads consent, device, tokens and ignores invalid values', () => {
    const config = readConfig(script({ 'data-consent': 'required', 'data-device': 'webgpu', 'data-max-new-tokens': '12', 'data-dtype': 'q4' }), url);
    expect(config).toMatchObject({ consent: 'required', device: 'webgpu', maxNewTokens: 12, dtype: 'q4', auto: true, reorder: false });
    const bad = readConfig(script({ 'data-device': 'cuda', 'data-max-new-tokens': '9999', 'data-dtype': 'x' }), url);
    expect(bad.device).toBeUndefined();
    expect(bad.maxNewTokens).toBeUndefined();
    expect(bad.dtype).toBeUndefined();
    expect(readConfig(null, url).consent).toBe('implied');
  });
});

describe('cross-origin worker trampoline', () => {
  it('is used only for another origin', () => {
    expect(needsTrampoline(new URL('https://cdn.example/w.js'), 'https://shop.example')).toBe(true);
    expect(needsTrampoline(new URL('https://shop.example/w.js'), 'https://shop.example')).toBe(false);
    expect(needsTrampoline(new URL('blob:https://shop.example/abc'), 'https://shop.example')).toBe(false);
  });

  it('imports the real script (module) or importScripts it (classic), URL safely quoted', () => {
    const url = new URL('https://cdn.example/a"b/w.js');
    expect(trampolineSource(url, 'module')).toBe('import "https://cdn.example/a%22b/w.js";\n');
    expect(trampolineSource(url, 'classic')).toBe('importScripts("https://cdn.example/a%22b/w.js");\n');
  });
});

describe('why lines', () => {
  it('say what the reason cites and that nothing leaves the device', () => {
    const lines = whyLines(
      { itemId: 'a', text: 't', facts: [{ value: 'Puzzle', from: 'item', kind: 'tags' }, { value: 'Portal 2', from: 'history', kind: 'title' }], source: 'model', backend: 'wasm', tokens: 3, ms: 1 },
      { itemId: 'a', score: 1, features: [{ name: 'shared-facts', value: 0.5, facts: ['Puzzle'] }] },
      true,
    );
    expect(lines).toEqual([
      'About this item: Puzzle.',
      'From your activity here: Portal 2.',
      'Shares Puzzle with things you looked at.',
      'Made on this device from your activity on this site; nothing about you is sent anywhere.',
    ]);
    expect(whyLines(undefined, undefined, false)).toEqual(['Made on this device from the item facts only; no activity of yours is used.']);
    // A v2 reason carries its content plan: the panel says what the engine let it cite.
    const planned = whyLines(
      { itemId: 'a', text: 't', facts: [], source: 'model', backend: 'wasm', tokens: 3, ms: 1, plan: { mode: 'history', hasHistory: true, domain: 'game', history: [{ title: 'Portal 2' }], facts: [{ value: 'Puzzle', kind: 'tags' }] } },
      undefined,
      true,
    );
    expect(planned[0]).toBe('Chosen because it shares Puzzle with Portal 2 from your activity.');
  });
});
