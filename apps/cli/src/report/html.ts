/**
 * A tiny HTML builder that escapes by default: every string interpolated into the `html` tag is
 * escaped, and only fragments built by `html` itself pass through as they are. Run configs, stop
 * reasons and error messages come from users and workers, so nothing reaches the page unescaped.
 */
import { escapeHtml } from '@curfew/dashboard/report';

/** Markup that is already safe to insert. Only `html` (and `raw`, for our own constants) make one. */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

export type HtmlPart = SafeHtml | string | number | null | undefined | false | readonly HtmlPart[];

export { escapeHtml };

function renderPart(part: HtmlPart): string {
  if (part instanceof SafeHtml) return part.value;
  if (Array.isArray(part)) return part.map(renderPart).join('');
  if (part === null || part === undefined || part === false) return '';
  return escapeHtml(String(part));
}

/** Tagged template: `html\`<td>${text}</td>\`` escapes `text`; nested `html` fragments and arrays of them are kept. */
export function html(strings: TemplateStringsArray, ...values: HtmlPart[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += renderPart(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Our own constant markup (the style sheet); never for data. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
