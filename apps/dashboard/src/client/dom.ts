/**
 * Builds DOM nodes. Text always goes in as text (textContent), never as markup: run configs,
 * stop reasons and errors come from users and workers.
 */
export type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  title?: string;
  href?: string;
  /** data-* attributes. */
  data?: Record<string, string>;
  attrs?: Record<string, string>;
  onclick?: (event: Event) => void;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props?.class) node.className = props.class;
  if (props?.title) node.title = props.title;
  if (props?.href) node.setAttribute('href', props.href);
  for (const [key, value] of Object.entries(props?.data ?? {})) node.dataset[key] = value;
  for (const [key, value] of Object.entries(props?.attrs ?? {})) node.setAttribute(key, value);
  if (props?.onclick) node.addEventListener('click', props.onclick);
  append(node, children);
  return node;
}

function append(node: Element, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'number' ? String(child) : child);
  }
}

/** Replaces a node's children. */
export function fill(node: Element, ...children: Child[]): void {
  node.replaceChildren();
  append(node, children);
}

/** Link to a run's page (run ids are EXPERIMENT/TRIAL). */
export const runHref = (runId: string) => `/runs/${runId.split('/').map(encodeURIComponent).join('/')}`;

export const experimentHref = (id: string) => `/experiments/${encodeURIComponent(id)}`;
