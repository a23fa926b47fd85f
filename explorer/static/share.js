// Lesson links and projector mode (explorer/lesson.py). Share writes a link that reopens the page as
// it is: the canvas's strokes in explorer/link.py's format (encode below is its twin: the same strokes
// give the same string, tests/app/test_lesson_browser.py holds them to it), the network, the view
// tab, the "Bend the digit" sliders and the slider whose sweep is shown, the number written on the
// wide canvas (num=, the same format), the unit followed (from an element #unit, where the page has
// one) and projector mode. The server restores all but the last
// two when the link is opened (explorer/lesson.py, Lesson.restore); they are applied here.
const limit = Number(props.limit) || 2000;
const box = element.querySelector('.lesson-box');
const field = box.querySelector('input');
const said = box.querySelector('.lesson-said');
const projector = element.querySelector('[data-lesson="projector"]');
const TABS = ['network', 'why', 'architecture', 'learning', 'bend', 'design', 'number']; // explorer/lesson.py TABS
const SLIDERS = ['shift_x', 'shift_y', 'scale', 'rotation', 'squeeze', 'thickness', 'noise'];
const NEUTRAL = [0, 0, 1, 0, 0, 0, 0];

// --- the drawing's string: explorer/link.py's encode, version 1 ---------------------------------------
function varint(n, out) {
  while (n >= 128) {
    out.push((n % 128) + 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
}
const zigzag = (n) => (n >= 0 ? 2 * n : -2 * n - 1);
const rounded = (v) => Math.floor(v + 0.5); // halves up, as explorer/link.py
function thinned(points, brush) {
  const kept = points.slice(0, 1);
  for (let i = 1; i < points.length; i++) {
    const [x, y] = points[i];
    const dx = x - kept[kept.length - 1][0];
    const dy = y - kept[kept.length - 1][1];
    const far = 16 * (dx * dx + dy * dy) >= brush * brush;
    if ((dx || dy) && (far || i === points.length - 1)) kept.push([x, y]);
  }
  return kept;
}
function encode(value) {
  const lines = (value?.strokes || []).filter((s) => s.length);
  if (!lines.length) return '';
  const brush = Math.max(1, rounded(value.brush));
  const out = [1];
  for (const n of [value.width, value.height, brush, lines.length]) varint(n, out);
  for (const s of lines) {
    const points = thinned(s.map((p) => [rounded(p[0]), rounded(p[1])]), brush);
    varint(points.length, out);
    let px = 0;
    let py = 0;
    for (const [x, y] of points) {
      varint(zigzag(x - px), out);
      varint(zigzag(y - py), out);
      px = x;
      py = y;
    }
  }
  let bin = '';
  for (const b of out) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// --- the page's state ------------------------------------------------------------------------------
function field_of(id) {
  return document.querySelector(`#${id} input:not([type=range]), #${id} textarea`);
}

function link() {
  const q = new URLSearchParams();
  const ink = document.querySelector('#ink canvas')?.inkValue?.();
  const code = ink ? encode(ink) : '';
  if (code) q.set('ink', code);
  const wide = document.querySelector('#number-ink canvas')?.inkValue?.(); // "Read a number"
  const num = wide ? encode(wide) : '';
  if (num) q.set('num', num);
  const net = document.querySelector('#model input:checked')?.value;
  if (net) q.set('net', net);
  const tab = document.querySelector('#views [role="tab"][aria-selected="true"]')?.dataset.tabId;
  if (TABS.includes(tab)) q.set('tab', tab);
  const values = SLIDERS.map((n, i) => {
    const v = Number(document.querySelector(`#bend-${n} input[type=number]`)?.value ?? NEUTRAL[i]);
    return Number.isFinite(v) ? v : NEUTRAL[i];
  });
  if (values.some((v, i) => v !== NEUTRAL[i])) q.set('bend', values.join(','));
  const which = document.querySelector('#bend-sweep .bend-sweep-view')?.dataset.which;
  if (which) q.set('sweep', which);
  const unit = field_of('unit')?.value; // "follow a unit", where the page has it
  if (unit) q.set('unit', unit);
  if (document.documentElement.classList.contains('projector')) q.set('projector', '1');
  return {url: `${location.origin}${location.pathname}?${q.toString().replace(/%2C/g, ',').replace(/%3A/g, ':')}`, code, num};
}

function share() {
  const {url, code, num} = link();
  box.hidden = false;
  // each drawing has the limit explorer/link.py reads: the digit's, then the number's
  const long = [['drawing', code, 'draw one digit'], ['number', num, 'write a shorter number']]
    .find(([, text]) => text.length > limit);
  if (long) {
    const [what, text, ask] = long;
    field.value = '';
    said.className = 'lesson-said refused';
    said.textContent = `This ${what} is too long for a link (${text.length} characters; the limit is ${limit}). Undo a few strokes or clear it and ${ask}.`;
    return;
  }
  field.value = url;
  said.className = 'lesson-said';
  said.textContent = code || num
    ? `${url.length} characters. Anyone who opens it sees this drawing, network, tab and sliders.`
    : `${url.length} characters. Nothing is drawn: the link opens this network, tab and sliders.`;
  field.focus();
  field.select();
}

async function copy() {
  field.select();
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    document.execCommand('copy'); // pages served over plain http have no clipboard API
  }
  said.textContent = 'Copied. ' + said.textContent.replace(/^Copied\. /, '');
}

function setProjector(on) {
  document.documentElement.classList.toggle('projector', on);
  projector.setAttribute('aria-pressed', String(on));
  dispatchEvent(new Event('resize')); // the canvas and plots refit
}

element.querySelector('[data-lesson="share"]').addEventListener('click', share);
element.querySelector('[data-lesson="copy"]').addEventListener('click', copy);
// Close (✕, or Escape anywhere in the pop-up) gives the focus back to Share, where the keyboard was.
function close() {
  box.hidden = true;
  element.querySelector('[data-lesson="share"]').focus();
}
element.querySelector('[data-lesson="close"]').addEventListener('click', close);
element.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && !box.hidden) {
    e.preventDefault();
    close();
  }
});
projector.addEventListener('click', () => setProjector(projector.getAttribute('aria-pressed') !== 'true'));
window.lenetLesson = {encode, link}; // for the tests: the codec's twin, and the link as Share writes it

// --- opening a link: what the server does not restore ----------------------------------------------
const opened = new URLSearchParams(location.search);
if (opened.get('projector') === '1') setProjector(true);
const unit = opened.get('unit');
if (unit && /^[A-Za-z0-9:]{1,40}$/.test(unit)) {
  let tries = 0;
  const put = setInterval(() => {
    const f = field_of('unit');
    if (f) {
      f.value = unit;
      f.dispatchEvent(new Event('input', {bubbles: true}));
      f.dispatchEvent(new Event('change', {bubbles: true}));
    }
    if (f || ++tries > 50) clearInterval(put);
  }, 200);
}
