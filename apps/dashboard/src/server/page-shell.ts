import { escapeHtml } from '../shared/escape-html';

/** The dashboard's pages are one shell each; the browser code draws them from the live feed. */
export type PageName = 'experiments' | 'experiment' | 'run';

export interface ShellOptions {
  page: PageName;
  /** The experiment or run shown. */
  id?: string;
  title: string;
  /** Whether cancelling is enabled (an operator token is set): the page then shows the button. */
  canCancel: boolean;
}

export function pageShell({ page, id, title, canCancel }: ShellOptions): string {
  const idAttr = id === undefined ? '' : ` data-id="${escapeHtml(id)}"`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · curfew</title>
<link rel="stylesheet" href="/assets/dashboard.css">
</head>
<body data-page="${page}"${idAttr} data-cancel="${canCancel ? 'on' : 'off'}">
<header class="top"><a class="brand" href="/">curfew</a><nav><a href="/">experiments</a><a href="/queues/">queues</a></nav><span id="live" class="live" data-state="connecting">connecting…</span></header>
<main id="app"></main>
<script src="/assets/dashboard.js"></script>
</body>
</html>
`;
}

/** A page for what does not exist, in the dashboard's frame. */
export function notFoundPage(what: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>not found · curfew</title><link rel="stylesheet" href="/assets/dashboard.css"></head>
<body><header class="top"><a class="brand" href="/">curfew</a><nav><a href="/">experiments</a><a href="/queues/">queues</a></nav></header>
<main><h1>Not found</h1><p>${escapeHtml(what)} does not exist. <a href="/">All experiments</a></p></main>
</body>
</html>
`;
}
