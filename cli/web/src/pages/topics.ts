/**
 * Topics: partitions, end offsets, retention and compaction; for the chosen topic a message
 * browser (the latest N per partition, or from an offset) and a live tail.
 */
import type { ApiProblem, Decoded, ReadRecordsResult, TopicRecord, TopicRow } from '../../../src/console/wire.js';
import { getJson, problemBox, problemView, stream } from '../api.js';
import { clock, h, replace } from '../dom.js';

function pretty(d: Decoded): string {
  if (d.format === 'null') return '(null)';
  if (d.format === 'json') return JSON.stringify(d.data, null, 2);
  if (d.format === 'binary') return `(binary, base64) ${d.data}`;
  return d.data;
}

function retention(t: TopicRow): string {
  const ms = Number(t.config['retention.ms'] ?? NaN);
  if (!Number.isFinite(ms)) return '—';
  // -1, or Long.MAX_VALUE (what Debezium sets on its schema history topics): kept forever.
  if (ms < 0 || ms >= 2 ** 53) return 'forever';
  return ms % 86_400_000 === 0 ? `${ms / 86_400_000} d` : `${Math.round(ms / 3_600_000)} h`;
}

export function recordCard(r: TopicRecord): HTMLElement {
  const headers = Object.entries(r.headers);
  return h(
    'article',
    { class: 'record', 'data-partition': r.partition, 'data-offset': r.offset },
    h('header', null, h('strong', null, `${r.topic}[${r.partition}] @ ${r.offset}`), h('span', { class: 'muted', title: r.timestamp }, clock(r.timestamp)), h('span', { class: 'muted' }, 'key'), h('code', { class: 'key' }, r.key.format === 'json' ? JSON.stringify(r.key.data) : pretty(r.key))),
    headers.length > 0 ? h('details', null, h('summary', { class: 'muted' }, `${headers.length} header(s)`), h('pre', null, headers.map(([k, v]) => `${k}: ${v}`).join('\n'))) : null,
    h('pre', { class: 'value', title: `value (${r.value.format})` }, pretty(r.value)),
  );
}

function topicList(topics: TopicRow[], selected: string | undefined): HTMLElement {
  return h(
    'table',
    { class: 'topics' },
    h('thead', null, h('tr', null, ...['topic', 'partitions', 'records', 'end offsets', 'cleanup', 'retention'].map((t) => h('th', null, t)))),
    h(
      'tbody',
      null,
      ...topics.map((t) =>
        h(
          'tr',
          { class: t.topic === selected ? 'selected' : null, 'data-topic': t.topic },
          h('td', null, h('a', { href: `#/topics/${encodeURIComponent(t.topic)}` }, t.topic)),
          h('td', null, t.partitions ?? '—'),
          h('td', null, t.records),
          h('td', null, t.offsets.map((o) => `${o.partition}:${o.high}`).join(' ')),
          h('td', null, t.cleanupPolicy ?? '—'),
          h('td', null, retention(t)),
        ),
      ),
    ),
  );
}

function browser(topic: TopicRow, onStop: (stop: () => void) => void): HTMLElement {
  const partitions = Array.from({ length: topic.partitions ?? 0 }, (_, i) => i);
  const partition = h('select', { name: 'partition' }, h('option', { value: '' }, 'all'), ...partitions.map((p) => h('option', { value: String(p) }, String(p))));
  const mode = h('select', { name: 'mode' }, h('option', { value: 'latest' }, 'latest'), h('option', { value: 'offset' }, 'from offset'));
  const offset = h('input', { name: 'offset', type: 'number', min: 0, placeholder: 'offset', value: '0' });
  const limit = h('input', { name: 'limit', type: 'number', min: 1, max: 1000, value: '5' });
  const results = h('div', { class: 'records', 'data-role': 'browser-results' });
  const tailOut = h('div', { class: 'records', 'data-role': 'tail-results' });
  const tailState = h('span', { class: 'muted' }, 'not following');
  let stopTail: (() => void) | undefined;

  const read = async () => {
    const q = new URLSearchParams({ limit: limit.value || '5', from: mode.value === 'latest' ? 'latest' : offset.value || '0' });
    if (partition.value !== '') q.set('partition', partition.value);
    replace(results, h('p', { class: 'muted' }, 'reading…'));
    try {
      const r = await getJson<ReadRecordsResult>(`/api/topics/${encodeURIComponent(topic.topic)}/records?${q}`);
      const ranges = r.partitions.map((p) => `partition ${p.partition}: offsets ${p.from}–${p.to} of ${p.low}–${p.high}`).join('; ');
      replace(results, h('p', { class: 'muted' }, `${r.records.length} record(s) — ${ranges}${r.complete ? '' : ' (Kafka did not hand over every record in time)'}`), ...r.records.map(recordCard));
    } catch (err) {
      replace(results, problemBox(err));
    }
  };
  const toggleTail = () => {
    if (stopTail) {
      stopTail();
      stopTail = undefined;
      tailButton.textContent = 'Start live tail';
      tailState.textContent = 'stopped';
      return;
    }
    const q = new URLSearchParams();
    if (partition.value !== '') q.set('partition', partition.value);
    replace(tailOut);
    tailState.textContent = 'connecting…';
    stopTail = stream(`/api/topics/${encodeURIComponent(topic.topic)}/tail?${q}`, {
      ready: () => (tailState.textContent = `following ${topic.topic}${partition.value === '' ? '' : `[${partition.value}]`}: new records appear here`),
      record: (data) => {
        tailOut.prepend(recordCard(data as TopicRecord));
        while (tailOut.childElementCount > 200) tailOut.lastElementChild?.remove();
      },
      problem: (data) => tailOut.prepend(problemView(data as ApiProblem)),
    });
    tailButton.textContent = 'Stop live tail';
    onStop(() => stopTail?.());
  };
  const tailButton = h('button', { type: 'button', onclick: toggleTail, 'data-role': 'tail' }, 'Start live tail');
  void read();
  return h(
    'section',
    { class: 'browser' },
    h('h2', null, topic.topic),
    h('p', { class: 'muted' }, `${topic.partitions ?? 0} partitions · ${topic.records} records retained · cleanup.policy ${topic.cleanupPolicy ?? 'delete'} · retention ${retention(topic)}`),
    h(
      'form',
      {
        class: 'controls',
        onsubmit: (e: Event) => {
          e.preventDefault();
          void read();
        },
      },
      h('label', null, 'partition ', partition),
      h('label', null, 'read ', mode),
      h('label', null, 'offset ', offset),
      h('label', null, 'per partition ', limit),
      h('button', { type: 'submit', 'data-role': 'read' }, 'Read'),
    ),
    h('div', { class: 'split' }, h('div', null, h('h3', null, 'Records'), results), h('div', null, h('h3', null, 'Live tail ', tailButton), h('p', null, tailState), tailOut)),
  );
}

export function renderTopics(root: HTMLElement, args: string[]): () => void {
  const selected = args[0];
  const stops: Array<() => void> = [];
  void getJson<{ topics: TopicRow[] }>('/api/topics')
    .then(({ topics }) => {
      const topic = topics.find((t) => t.topic === selected);
      replace(
        root,
        topicList(topics, selected),
        topic ? browser(topic, (s) => stops.push(s)) : selected ? h('p', { class: 'problem' }, `no topic named "${selected}"`) : h('p', { class: 'muted' }, 'Pick a topic to browse its records and follow it live.'),
      );
    })
    .catch((err: unknown) => replace(root, problemBox(err)));
  return () => stops.forEach((s) => s());
}
