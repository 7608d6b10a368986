/** Consumer groups: members with their partitions, and the lag per partition. Refreshed every 2 s. */
import type { GroupReport } from '../../../src/console/wire.js';
import { getJson, problemBox } from '../api.js';
import { badge, h, replace } from '../dom.js';

function group(g: GroupReport): HTMLElement {
  return h(
    'article',
    { class: 'group', 'data-group': g.group },
    h('header', null, badge(g.state), ' ', h('strong', null, g.group), g.role ? h('span', { class: 'muted' }, ` — ${g.role}`) : null, h('span', { class: 'lag' }, ` total lag ${g.totalLag}`)),
    h(
      'div',
      { class: 'columns' },
      h(
        'div',
        null,
        h('h4', null, `${g.members.length} member(s)`),
        h('ul', null, ...g.members.map((m) => h('li', null, h('code', null, m.clientId), ` ${m.host} `, h('span', { class: 'muted' }, m.assignment.map((a) => `${a.topic}[${a.partitions.join(',')}]`).join(' ') || 'no partitions')))),
      ),
      h(
        'table',
        { class: 'lag-table' },
        h('thead', null, h('tr', null, ...['topic', 'partition', 'committed', 'end', 'lag'].map((t) => h('th', null, t)))),
        h('tbody', null, ...g.partitions.map((p) => h('tr', { class: p.lag > 0 ? 'behind' : null }, h('td', null, p.topic), h('td', null, p.partition), h('td', null, p.committed ?? '—'), h('td', null, p.end), h('td', null, p.lag)))),
      ),
    ),
  );
}

export function renderGroups(root: HTMLElement): () => void {
  const load = async () => {
    try {
      const { groups } = await getJson<{ groups: GroupReport[] }>('/api/groups');
      replace(root, h('p', { class: 'muted' }, 'Lag counts offsets: on a transactional topic (orders-graph) each commit marker is one, so a caught-up reader may show 1 per partition.'), ...groups.map(group));
    } catch (err) {
      replace(root, problemBox(err));
    }
  };
  void load();
  const timer = setInterval(() => void load(), 2000);
  return () => clearInterval(timer);
}
