/** Every component with its state, URL, process, uptime and last log lines; connectors and lag; links to the API pages. Live (server-sent events, every 2 s). */
import type { ApiProblem, Overview, OverviewComponent } from '../../../src/console/wire.js';
import { problemView, stream } from '../api.js';
import { badge, clock, duration, external, h, replace } from '../dom.js';

/** `closed`: the components whose log the reader folded (logs show unless folded). */
function componentRow(c: OverviewComponent, closed: Set<string>): HTMLElement[] {
  const isHttp = c.url.startsWith('http');
  const where = c.pid ? `pid ${c.pid}` : (c.detail ?? '—');
  const log = h(
    'details',
    { class: 'log', open: !closed.has(c.id), ontoggle: (e: Event) => ((e.target as HTMLDetailsElement).open ? closed.delete(c.id) : closed.add(c.id)) },
    h('summary', null, `last ${c.logTail.length} log line(s) — ${c.logFile}`),
    h('pre', null, c.logTail.join('\n') || '(empty)'),
  );
  return [
    h(
      'tr',
      { 'data-component': c.id, 'data-state': c.state },
      h('td', null, badge(c.state)),
      h('td', null, h('strong', null, c.title), h('div', { class: 'muted' }, `${c.id} · ${c.kind}`)),
      h('td', null, isHttp ? external(c.url, c.url) : h('code', null, c.url)),
      h('td', null, c.pid ? `pid ${c.pid}` : h('span', { class: 'muted' }, where)),
      h('td', null, duration(c.uptimeMs)),
      h('td', null, c.start ? h('div', { class: 'start' }, 'start it: ', h('code', null, c.start)) : null, ...c.links.map((l) => h('div', null, external(l.label, l.url)))),
    ),
    h('tr', { class: 'log-row' }, h('td', { colspan: 6 }, log)),
  ];
}

function view(o: Overview, open: Set<string>): HTMLElement[] {
  const progress = o.progress;
  const notReady = o.components.filter((c) => c.state !== 'ready' && c.state !== 'external');
  return [
    h(
      'section',
      { class: 'summary' },
      h('span', { title: o.runtimeReason }, 'runtime ', h('strong', null, o.runtime)),
      h('span', { 'data-healthy': String(o.healthy) }, o.healthy ? badge('healthy') : badge('unhealthy')),
      notReady.length > 0 ? h('span', { class: 'not-ready', 'data-role': 'not-ready' }, 'not ready: ', ...notReady.map((c, i) => [i > 0 ? ', ' : '', h('a', { href: `#/overview`, onclick: (e: Event) => (e.preventDefault(), document.querySelector(`tr[data-component="${c.id}"]`)?.scrollIntoView()) }, c.id), ` (${c.state})`])) : null,
      h('span', { class: 'muted' }, `updated ${clock(o.at)}`),
      h('span', { class: 'links' }, ...o.links.map((l) => external(l.label, l.url))),
    ),
    h(
      'table',
      { class: 'components' },
      h('thead', null, h('tr', null, ...['state', 'component', 'URL', 'process', 'uptime', ''].map((t) => h('th', null, t)))),
      h('tbody', null, ...o.components.flatMap((c) => componentRow(c, open))),
    ),
    h(
      'section',
      { class: 'pipeline' },
      h('h3', null, 'Connectors ', h('a', { href: '#/connectors' }, 'details')),
      o.connectors
        ? h('ul', null, ...o.connectors.map((c) => h('li', { 'data-connector': c.name }, badge(c.state), ' ', c.name, h('span', { class: 'muted' }, ` tasks: ${c.tasks.map((t) => `${t.id}=${t.state}`).join(' ') || 'none'}`))))
        : h('p', { class: 'muted' }, 'Kafka Connect is not up'),
      h('h3', null, 'orders-stream lag ', h('a', { href: '#/groups' }, 'all groups')),
      progress ? h('p', null, progress.summary, h('span', { class: 'muted' }, ` (${progress.detail})`)) : h('p', { class: 'muted' }, 'Kafka is not up'),
    ),
  ];
}

export function renderOverview(root: HTMLElement): () => void {
  const open = new Set<string>();
  const live = document.getElementById('live');
  return stream('/api/overview/events', {
    overview: (data) => {
      replace(root, ...view(data as Overview, open));
      if (live) live.textContent = `live · ${clock((data as Overview).at)}`;
    },
    problem: (data) => replace(root, problemView(data as ApiProblem)),
  });
}
