/** Building DOM without innerHTML (record values and logs are shown as text, never as markup). */

export type Child = Node | string | number | null | undefined | false | Child[];
type Handler = (event: Event) => void;
export type Attrs = Record<string, string | number | boolean | Handler | null | undefined>;

/** `h('a', {href, class: 'x', onclick}, 'text', child)`: an element with attributes, listeners and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs | null = null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else if (name === 'value' && 'value' in el) (el as HTMLInputElement).value = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces every child of `el`. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** `12:03:04.567` of an ISO time (local time of the browser). */
export function clock(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** `3 d 4 h`, `2 h 5 min`, `4 min 10 s`, `12 s`. */
export function duration(ms: number | null): string {
  if (ms === null) return '—';
  const s = Math.floor(ms / 1000);
  const [d, hr, min] = [Math.floor(s / 86400), Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60)];
  if (d > 0) return `${d} d ${hr} h`;
  if (hr > 0) return `${hr} h ${min} min`;
  if (min > 0) return `${min} min ${s % 60} s`;
  return `${s} s`;
}

/** A coloured state label: ready/running/stopped/…, RUNNING/FAILED/…, Stable/Empty/… */
export function badge(state: string): HTMLElement {
  const s = state.toLowerCase();
  const tone = ['ready', 'running', 'stable', 'ok', 'complete', 'healthy'].includes(s) ? 'good' : ['stopped', 'failed', 'missing', 'dead', 'unassigned', 'unhealthy'].includes(s) ? 'bad' : 'warn';
  return h('span', { class: `badge ${tone}`, 'data-state': s }, state);
}

/** A link that opens beside the console. */
export function external(label: string, url: string): HTMLAnchorElement {
  return h('a', { href: url, target: '_blank', rel: 'noopener' }, label);
}
