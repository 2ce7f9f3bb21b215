// The inspector's desk (docs/desk.md): the little script the pages use. Served from /desk/desk.js only (the
// Content-Security-Policy allows no inline script). Without it every page still works: the forms submit by GET.
'use strict';

// The as-of slider of a subject's page: moves the date to the act it points at, and asks for that day.
function slider() {
  const range = document.getElementById('slider');
  const date = document.getElementById('as_of');
  if (!range || !date) return;
  const dates = JSON.parse(range.dataset.dates || '[]');
  const show = () => {
    const d = dates[Number(range.value)] || '';
    date.value = d;
    range.setAttribute('aria-valuetext', d.split('-').reverse().join('/'));
  };
  range.addEventListener('input', show);
  range.addEventListener('change', () => { show(); range.form.submit(); });
}

function hex(bytes) {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}
function fromHex(text) {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(i * 2, 2), 16);
  return out;
}
async function sha256(...parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const all = new Uint8Array(n);
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', all));
}

// The inclusion proof on the verification page, checked here (RFC 9162 §2.1.3.2) against the root that the signed
// checkpoint shown on the page names: the leaf hashed from the entry's own bytes, the path climbed hash by hash.
async function proof() {
  const box = document.getElementById('proof');
  const out = document.getElementById('browser-check');
  const steps = document.getElementById('steps');
  if (!box || !out) return;
  const vi = document.documentElement.lang !== 'en';
  const say = (ok, text) => { out.textContent = text; out.className = ok ? 'ok' : 'error'; };
  const step = (text) => { const li = document.createElement('li'); li.textContent = text; steps.appendChild(li); };
  if (!window.crypto || !crypto.subtle) { say(false, vi ? 'Trình duyệt không có WebCrypto.' : 'No WebCrypto here.'); return; }
  const entry = Uint8Array.from(atob(box.dataset.entry), (c) => c.charCodeAt(0));
  let index = Number(box.dataset.seq);
  let last = Number(box.dataset.size) - 1;
  const path = JSON.parse(box.dataset.proof).map(fromHex);
  let r = await sha256(new Uint8Array([0]), entry);
  step((vi ? 'Băm lá = SHA-256(0x00 ‖ mục) = ' : 'leaf = SHA-256(0x00 || entry) = ') + hex(r));
  if (hex(r) !== box.dataset.leaf) { say(false, vi ? 'Băm lá khác của máy chủ.' : 'The leaf hash differs from the server\'s.'); return; }
  if (index > last) { say(false, 'index'); return; }
  for (const p of path) {
    if (last === 0) { say(false, vi ? 'Chứng minh dài quá.' : 'The proof is too long.'); return; }
    if (index % 2 === 1 || index === last) {
      r = await sha256(new Uint8Array([1]), p, r);
      step('H(0x01 ‖ ' + hex(p).slice(0, 16) + '… ‖ r) = ' + hex(r));
      if (index % 2 === 0) while (index % 2 === 0 && index !== 0) { index = Math.floor(index / 2); last = Math.floor(last / 2); }
    } else {
      r = await sha256(new Uint8Array([1]), r, p);
      step('H(0x01 ‖ r ‖ ' + hex(p).slice(0, 16) + '…) = ' + hex(r));
    }
    index = Math.floor(index / 2);
    last = Math.floor(last / 2);
  }
  // The root the signed checkpoint names: its third line, base64.
  const lines = (document.getElementById('checkpoint').textContent || '').split('\n');
  const signedRoot = hex(Uint8Array.from(atob(lines[2] || ''), (c) => c.charCodeAt(0)));
  step((vi ? 'Gốc trong điểm kiểm tra đã ký: ' : 'root in the signed checkpoint: ') + signedRoot);
  if (last !== 0 || hex(r) !== signedRoot || lines[1] !== box.dataset.size) {
    say(false, vi ? 'KHÔNG KHỚP: chứng minh không dẫn tới gốc của điểm kiểm tra.' : 'NO MATCH: the proof does not lead to the checkpoint\'s root.');
    return;
  }
  say(true, vi ? 'Khớp: trình duyệt đã tính lại gốc từ chính mục này và các mã băm của chứng minh, bằng gốc của điểm kiểm tra đã ký.'
               : 'Match: the browser recomputed the root from this entry and the proof\'s hashes: it is the signed checkpoint\'s root.');
}

document.addEventListener('DOMContentLoaded', () => { slider(); proof(); });
