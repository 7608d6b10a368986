/** Connectors: state per task, the trace of a failed one, and a restart button. Refreshed every 2 s. */
import type { ConnectorState, ConnectorView } from '../../../src/console/wire.js';
import { getJson, postJson, problemBox } from '../api.js';
import { badge, h, replace } from '../dom.js';

function traceBlock(label: string, trace: string | undefined): HTMLElement | null {
  return trace ? h('details', { class: 'trace', open: true }, h('summary', null, label), h('pre', null, trace)) : null;
}

function card(c: ConnectorView, refresh: () => void, notes: Map<string, HTMLElement>): HTMLElement {
  const restart = async (onlyFailed: boolean) => {
    notes.set(c.name, h('p', { class: 'muted' }, 'restarting…'));
    refresh();
    try {
      const after = await postJson<{ connector: ConnectorState }>(`/api/connectors/${encodeURIComponent(c.name)}/restart?onlyFailed=${String(onlyFailed)}`);
      notes.set(c.name, h('p', { class: 'note' }, `restart requested; now ${after.connector.state}`));
    } catch (err) {
      notes.set(c.name, problemBox(err));
    }
    refresh();
  };
  return h(
    'article',
    { class: 'connector', 'data-connector': c.name, 'data-state': c.state.toLowerCase() },
    h('header', null, badge(c.state), ' ', h('strong', null, c.name), h('span', { class: 'muted' }, ` ${c.type ?? ''}${c.ours ? '' : ' (not one of connectors/*.json)'}`)),
    h('ul', { class: 'tasks' }, ...(c.tasks.length > 0 ? c.tasks.map((t) => h('li', { 'data-task': t.id }, `task ${t.id} `, badge(t.state), traceBlock(`trace of task ${t.id}`, t.trace))) : [h('li', { class: 'muted' }, 'no tasks')])),
    traceBlock('trace of the connector', c.trace),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', onclick: () => void restart(false), 'data-role': 'restart' }, 'Restart'),
      ' ',
      h('button', { type: 'button', onclick: () => void restart(true), class: 'secondary' }, 'Restart failed tasks only'),
    ),
    notes.get(c.name) ?? null,
  );
}

export function renderConnectors(root: HTMLElement): () => void {
  const notes = new Map<string, HTMLElement>();
  let last: ConnectorView[] = [];
  const draw = () => replace(root, h('p', { class: 'muted' }, 'Kafka Connect, every connector it runs (refreshed every 2 s).'), ...last.map((c) => card(c, draw, notes)));
  const load = async () => {
    try {
      last = (await getJson<{ connectors: ConnectorView[] }>('/api/connectors')).connectors;
      draw();
    } catch (err) {
      replace(root, problemBox(err));
    }
  };
  void load();
  const timer = setInterval(() => void load(), 2000);
  return () => clearInterval(timer);
}
