import { el } from './dom';

const TOKEN_KEY = 'curfew-dashboard-token';

/**
 * The cancel button, shown only when the operator set CURFEW_DASHBOARD_TOKEN (the server says so
 * on <body data-cancel="on">). The token is typed here once per browser tab and sent with the
 * request; the server refuses without it.
 */
export function cancelControl(what: string, url: string, onDone: () => void): HTMLElement | null {
  if (document.body.dataset.cancel !== 'on') return null;
  const token = el('input', {
    class: 'token',
    attrs: {
      type: 'password',
      placeholder: 'operator token',
      autocomplete: 'off',
      'aria-label': 'operator token',
    },
  });
  token.value = sessionStorage.getItem(TOKEN_KEY) ?? '';
  const message = el('span', { class: 'cancel-message', attrs: { role: 'status' } });
  const button = el('button', { class: 'cancel', attrs: { type: 'button' } }, `Cancel ${what}`);
  button.addEventListener('click', async () => {
    button.disabled = true;
    message.textContent = 'cancelling…';
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token.value}` },
      });
      const body = (await response.json().catch(() => ({}))) as { cancelled?: number; error?: string };
      if (response.ok) {
        sessionStorage.setItem(TOKEN_KEY, token.value);
        message.textContent = `cancelled ${body.cancelled ?? 0} run${body.cancelled === 1 ? '' : 's'}`;
        onDone();
      } else {
        message.textContent = body.error ?? `refused (${response.status})`;
      }
    } catch (error) {
      message.textContent = `cannot reach the dashboard: ${(error as Error).message}`;
    } finally {
      button.disabled = false;
    }
  });
  return el('div', { class: 'cancel-control' }, token, button, message);
}
