/**
 * The console page: a hash router over five views (overview, topics, connectors, consumer
 * groups, order trace). Each view renders into the main element and returns what stops its
 * live updates when another view takes over.
 */
import { h, replace } from './dom.js';
import { renderConnectors } from './pages/connectors.js';
import { renderGroups } from './pages/groups.js';
import { renderOverview } from './pages/overview.js';
import { renderTopics } from './pages/topics.js';
import { renderTrace } from './pages/trace.js';

export type Page = (root: HTMLElement, args: string[]) => () => void;

const PAGES: Record<string, Page> = { overview: renderOverview, topics: renderTopics, connectors: renderConnectors, groups: renderGroups, trace: renderTrace };

let stop: (() => void) | undefined;

function route(): void {
  const [name = 'overview', ...args] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const page = PAGES[name] ? name : 'overview';
  for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a')) link.classList.toggle('active', link.dataset.page === page);
  stop?.();
  const root = document.getElementById('page')!;
  replace(root, h('p', { class: 'muted' }, 'loading…'));
  root.dataset.page = page;
  stop = PAGES[page]!(root, args.filter(Boolean));
}

window.addEventListener('hashchange', route);
route();
