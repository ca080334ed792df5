import { formatPercent, MISSING } from '../shared/format';
import { type Child, el } from './dom';

export const statusBadge = (status: string) => el('span', { class: `status status-${status}` }, status);

/** A labelled value of a page's header. */
export const fact = (label: string, value: Child) =>
  el('div', { data: { fact: label } }, el('dt', null, label), el('dd', null, value));

export const facts = (...items: HTMLElement[]) => el('dl', { class: 'facts' }, ...items);

export const percentOrMissing = (value: number | null) => (value === null ? MISSING : formatPercent(value));

/** A section with a heading, returning where its content goes. */
export function section(parent: HTMLElement, title: string, note?: string): HTMLElement {
  const body = el('div', { class: 'section-body' });
  parent.append(
    el('section', null, el('h2', null, title), note ? el('p', { class: 'note' }, note) : null, body),
  );
  return body;
}

/** Long errors are cut in a cell; the whole message stays in the tooltip. */
export function shortText(text: string | null, max = 120): Child {
  if (!text) return MISSING;
  return text.length > max ? el('span', { title: text }, `${text.slice(0, max)}…`) : text;
}
