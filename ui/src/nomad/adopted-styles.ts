/**
 * xterm.js writes its theme and cell sizes into `<style>` elements it creates, which our
 * Content-Security-Policy (`style-src 'self'`, no inline styles) does not apply. Rather than
 * loosen the policy, the rules of every such element under `root` are mirrored into a
 * constructed stylesheet adopted by the document (CSSOM, which the policy does not govern).
 * The refused elements still show as CSP reports in the console; the page renders as intended.
 */
export function adoptInjectedStyles(root: HTMLElement): () => void {
  const mirrored = new Map<HTMLStyleElement, { sheet: CSSStyleSheet; text: string }>();
  const sync = () => {
    for (const style of root.querySelectorAll('style')) {
      const text = style.textContent ?? '';
      let entry = mirrored.get(style);
      if (!entry) {
        entry = { sheet: new CSSStyleSheet(), text: '' };
        mirrored.set(style, entry);
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, entry.sheet];
      }
      if (entry.text !== text) {
        entry.sheet.replaceSync(text);
        entry.text = text;
      }
    }
    for (const [style, { sheet }] of mirrored) {
      if (root.contains(style)) continue;
      mirrored.delete(style);
      document.adoptedStyleSheets = document.adoptedStyleSheets.filter((adopted) => adopted !== sheet);
    }
  };
  const observer = new MutationObserver(sync);
  observer.observe(root, { childList: true, subtree: true, characterData: true });
  sync();
  return () => {
    observer.disconnect();
    const sheets = new Set([...mirrored.values()].map((entry) => entry.sheet));
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter((adopted) => !sheets.has(adopted));
  };
}
