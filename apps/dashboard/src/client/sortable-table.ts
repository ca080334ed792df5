import { type Child, el, fill } from './dom';

export interface Column<R> {
  label: string;
  title?: string;
  /** What the column sorts by; null sorts last. */
  sortValue: (row: R) => number | string | null;
  cell: (row: R) => Child;
  numeric?: boolean;
}

export interface TableOptions<R> {
  rowKey: (row: R) => string;
  /** The column sorted by at first, and the direction. */
  sortBy?: number;
  descending?: boolean;
  empty: string;
  /** Rows shown before a "show all" button (long lists: checkpoints). @defaultValue all */
  maxRows?: number;
}

function compare(a: number | string | null, b: number | string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
}

/** A table whose header sorts it (click again to reverse), redrawn whole when its rows change. */
export class SortableTable<R> {
  private rows: readonly R[] = [];
  private sortBy: number;
  private descending: boolean;
  private readonly head = el('thead');
  private readonly body = el('tbody');
  private readonly table = el('table', { class: 'data' }, this.head, this.body);
  private readonly more = el('p', { class: 'more' });
  private showAll = false;

  constructor(
    root: HTMLElement,
    private readonly columns: readonly Column<R>[],
    private readonly options: TableOptions<R>,
  ) {
    this.sortBy = options.sortBy ?? 0;
    this.descending = options.descending ?? false;
    root.append(this.table, this.more);
    this.drawHead();
  }

  private drawHead(): void {
    const cells = this.columns.map((c, i) => {
      const sorted = i === this.sortBy;
      const th = el(
        'th',
        {
          class: c.numeric ? 'num sortable' : 'sortable',
          title: c.title ?? `sort by ${c.label}`,
          attrs: { 'aria-sort': sorted ? (this.descending ? 'descending' : 'ascending') : 'none' },
          onclick: () => this.sort(i),
        },
        c.label,
        sorted ? (this.descending ? ' ▼' : ' ▲') : '',
      );
      return th;
    });
    fill(this.head, el('tr', null, ...cells));
  }

  /** Sorts by column `index`; the same column again reverses. */
  sort(index: number): void {
    this.descending = index === this.sortBy ? !this.descending : false;
    this.sortBy = index;
    this.drawHead();
    this.drawBody();
  }

  set(rows: readonly R[]): void {
    this.rows = rows;
    this.drawBody();
  }

  private drawBody(): void {
    const column = this.columns[this.sortBy] as Column<R>;
    const sign = this.descending ? -1 : 1;
    const sorted = [...this.rows].sort((a, b) => {
      const va = column.sortValue(a);
      const vb = column.sortValue(b);
      if (va === null || vb === null) return compare(va, vb);
      return sign * compare(va, vb);
    });
    const limit = this.showAll ? sorted.length : (this.options.maxRows ?? sorted.length);
    const shown = new Map<string, Element>();
    for (const tr of Array.from(this.body.children)) {
      const key = (tr as HTMLElement).dataset.key;
      if (key !== undefined) shown.set(key, tr);
    }
    const rows: Element[] = sorted.slice(0, limit).map((row) => {
      const key = this.options.rowKey(row);
      const fresh = el(
        'tr',
        { data: { key } },
        ...this.columns.map((c) => el('td', c.numeric ? { class: 'num' } : null, c.cell(row))),
      );
      return keepUnchanged(shown.get(key), fresh);
    });
    if (rows.length === 0)
      rows.push(
        el(
          'tr',
          null,
          el('td', { class: 'empty', attrs: { colspan: String(this.columns.length) } }, this.options.empty),
        ),
      );
    const current = Array.from(this.body.children);
    if (rows.length !== current.length || rows.some((row, i) => row !== current[i]))
      this.body.replaceChildren(...rows);
    const hidden = sorted.length - limit;
    const button = el(
      'button',
      { class: 'show-all', attrs: { type: 'button' } },
      `show all ${sorted.length}`,
    );
    button.addEventListener('click', () => {
      this.showAll = true;
      this.drawBody();
    });
    fill(this.more, hidden > 0 ? el('span', null, `${hidden} more not shown `, button) : null);
  }
}

/**
 * The row already shown for a key, with only the cells whose content changed replaced by the
 * fresh row's; the fresh row when there is none. A live table redraws on every event, several a
 * second while runs train: replacing every row each time dropped clicks on its links (a click is
 * a press and a release on the same element, and the element was gone between the two).
 */
function keepUnchanged(shown: Element | undefined, fresh: HTMLTableRowElement): Element {
  if (!shown || shown.children.length !== fresh.children.length) return fresh;
  Array.from(fresh.children).forEach((cell, i) => {
    const old = shown.children[i] as Element;
    if (old.outerHTML !== cell.outerHTML) old.replaceWith(cell);
  });
  return shown;
}
