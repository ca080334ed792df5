/**
 * Follows a page's live feed (server-sent events): `snapshot` replaces what the page shows,
 * `delta` changes part of it. The browser reconnects by itself after a drop, and the server
 * answers a reconnect with a fresh snapshot. Each applied event bumps `data-events` on <body>,
 * which is how tests and the bench know a page has drawn an update.
 */
export function follow<S, D = never>(
  url: string,
  handlers: { snapshot(view: S): void; delta?(change: D): void },
): EventSource {
  const status = document.getElementById('live');
  const show = (text: string, state: string) => {
    if (!status) return;
    status.textContent = text;
    status.dataset.state = state;
  };
  let applied = 0;
  const apply = (handler: ((data: never) => void) | undefined) => (event: Event) => {
    const started = performance.now();
    document.body.dataset.receivedMs = started.toFixed(1);
    handler?.(JSON.parse((event as MessageEvent<string>).data) as never);
    applied++;
    document.body.dataset.applyMs = (performance.now() - started).toFixed(1);
    document.body.dataset.events = String(applied);
  };
  const source = new EventSource(url);
  source.addEventListener('snapshot', apply(handlers.snapshot as (data: never) => void));
  source.addEventListener('delta', apply(handlers.delta as ((data: never) => void) | undefined));
  source.addEventListener('open', () => show('live', 'live'));
  source.addEventListener('error', () =>
    source.readyState === EventSource.CLOSED
      ? show('not found', 'closed')
      : show('reconnecting…', 'retrying'),
  );
  return source;
}
