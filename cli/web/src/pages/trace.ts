/**
 * Order trace: paste an order id, or place a demo order, and watch each hop appear — the
 * MariaDB row, the order and order_detail records, the orders-graph record, the PostgreSQL
 * row, the GraphQL answer — with its time and the delta to the hop before.
 */
import type { ApiProblem, DemoOrder, TraceHop, TraceResult } from '../../../src/console/wire.js';
import { problemView, stream } from '../api.js';
import { clock, h, replace } from '../dom.js';

function hopView(hop: TraceHop): HTMLElement {
  const time = hop.at ? clock(hop.at) : hop.found ? 'found' : 'not yet';
  return h(
    'li',
    { class: `hop ${hop.found ? 'found' : 'missing'}`, 'data-hop': hop.id, 'data-found': String(hop.found) },
    h('span', { class: 'mark' }, hop.found ? '✔' : '…'),
    h('span', { class: 'time' }, time),
    h('span', { class: 'delta' }, hop.deltaMs === null ? '' : `${hop.deltaMs >= 0 ? '+' : '−'}${Math.abs(hop.deltaMs)} ms`),
    h('div', { class: 'what' }, h('strong', null, hop.title), h('div', { class: 'muted' }, hop.detail), hop.timeSource === 'first seen' ? h('div', { class: 'muted' }, 'time: when this trace first saw it (the read model keeps no write time)') : null),
    hop.id === 'graphql' && hop.data ? h('details', null, h('summary', null, 'the answer'), h('pre', null, JSON.stringify(hop.data, null, 2))) : null,
  );
}

function resultView(r: TraceResult, state: string): HTMLElement {
  return h(
    'section',
    { class: 'trace-result', 'data-order': r.orderId, 'data-complete': String(r.complete) },
    h('h2', null, 'order ', h('code', null, r.orderId)),
    h('p', { class: 'muted' }, state, r.totalMs !== null ? ` · ${r.totalMs} ms from the MariaDB row to the last timed hop` : ''),
    h('ol', { class: 'hops' }, ...r.hops.map(hopView)),
  );
}

export function renderTrace(root: HTMLElement, args: string[]): () => void {
  let stop: (() => void) | undefined;
  const input = h('input', { name: 'orderId', placeholder: 'order id (a UUID)', size: 40, value: args[0] ?? '' });
  const out = h('div', { 'data-role': 'trace-out' });
  const follow = (path: string, method: 'GET' | 'POST', intro: string) => {
    stop?.();
    replace(out, h('p', { class: 'muted' }, intro));
    let last: TraceResult | undefined;
    stop = stream(
      path,
      {
        order: (data) => {
          const o = data as DemoOrder;
          input.value = o.orderId;
          history.replaceState(null, '', `#/trace/${o.orderId}`);
          replace(out, h('p', { class: 'muted' }, `placed order ${o.orderId} for ${o.email}; following it…`));
        },
        trace: (data) => {
          last = data as TraceResult;
          replace(out, resultView(last, last.complete ? 'every hop found' : 'following… (hops appear as they happen)'));
        },
        end: (data) => {
          if (last) replace(out, resultView(last, (data as { complete: boolean }).complete ? 'every hop found' : 'stopped waiting: some hops are still missing'));
          stop?.();
        },
        problem: (data) => {
          out.append(problemView(data as ApiProblem));
          stop?.();
        },
      },
      { method },
    );
  };
  const trace = (id: string) => {
    history.replaceState(null, '', `#/trace/${encodeURIComponent(id)}`);
    follow(`/api/trace/${encodeURIComponent(id)}/events`, 'GET', `looking for ${id} at every hop…`);
  };
  replace(
    root,
    h(
      'form',
      {
        class: 'controls',
        onsubmit: (e: Event) => {
          e.preventDefault();
          if (input.value.trim()) trace(input.value.trim());
        },
      },
      input,
      h('button', { type: 'submit', 'data-role': 'trace' }, 'Trace'),
      h('span', { class: 'muted' }, ' or '),
      h('button', { type: 'button', 'data-role': 'demo-order', onclick: () => follow('/api/demo-order/trace', 'POST', 'placing a demo order (a fresh customer, two products)…') }, 'Place a demo order'),
    ),
    out,
  );
  if (args[0]) trace(args[0]);
  return () => stop?.();
}
