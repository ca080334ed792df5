import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw } from './html';

describe('html', () => {
  it('escapes the five characters that matter in content and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
  });

  it('escapes interpolated strings but keeps nested fragments and arrays of them', () => {
    const hostile = '<script>alert(1)</script>';
    const cells = ['a<b', html`<i>${hostile}</i>`];
    const out = html`<td title="${hostile}">${cells}${null}${false}${undefined}${3}</td>`.value;
    expect(out).toBe(
      '<td title="&lt;script&gt;alert(1)&lt;/script&gt;">a&lt;b<i>&lt;script&gt;alert(1)&lt;/script&gt;</i>3</td>',
    );
  });

  it('passes our own constant markup through raw', () => {
    expect(html`<style>${raw('a > b {}')}</style>`.value).toBe('<style>a > b {}</style>');
  });
});
