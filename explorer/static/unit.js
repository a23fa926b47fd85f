// Follow a unit (explorer/unit.py): runs once per page as the js_on_load of the #unit component,
// whose value is the unit followed ("C3:5:4:7", "C5:17", "Output:4"; "" for none). A click on a map of
// the network view picks the unit under the pointer; a map's button reached with Tab picks its
// centre (Enter or Space) or moves the unit (arrow keys); the field takes a typed unit. Each choice
// sets props.value, which fires the component's change event: one small request draws the panel.
// The unit is marked in the network view, and marked again whenever the view is redrawn.
const input = element.querySelector('input');
const HITS = '.lenet-net .unit-hit, .lenet-net .col[data-layer]';

// What button t stands for: its layer, map and the map's size (written on its grid), block or not.
function spec(t) {
  const g = t.closest('[data-layer]');
  return {layer: g.dataset.layer, map: Number(t.dataset.map), h: Number(g.dataset.h), w: Number(g.dataset.w),
          block: Boolean(g.dataset.block)};
}

function parse(s) {
  const p = String(s || '').split(':');
  return {layer: p[0], map: Number(p[1]), y: Number(p[2] || 0), x: Number(p[3] || 0)};
}

// The unit string for a position (y, x) in the map or block under button t.
function unitAt(t, y, x) {
  const s = spec(t);
  if (s.layer === 'Output') return `Output:${s.map}`;
  if (s.block) return `${s.layer}:${y * s.w + x}`;
  return `${s.layer}:${s.map}:${y}:${x}`;
}

// Where the followed unit sits in button t, or t's centre when it is elsewhere.
function position(t) {
  const u = parse(props.value), s = spec(t);
  if (u.layer === s.layer) {
    if (s.block) return [Math.floor(u.map / s.w), u.map % s.w];
    if (u.map === s.map) return [u.y, u.x];
  }
  return [s.h >> 1, s.w >> 1];
}

function clamp(v, n) { return Math.max(0, Math.min(n - 1, v)); }

function mark() {
  document.querySelectorAll('.lenet-net .on').forEach((e) => e.classList.remove('on'));
  document.querySelectorAll('.lenet-net .unit-mark').forEach((e) => e.remove());
  const u = parse(props.value);
  if (!u.layer) return;
  const t = [...document.querySelectorAll(HITS)].find((t) => {
    const s = spec(t);
    return s.layer === u.layer && (s.block || s.map === u.map);
  });
  if (!t) return;
  t.classList.add('on');
  const {layer, h, w} = spec(t);
  if (layer === 'Output') return;
  const [y, x] = position(t);
  const m = document.createElement('i');
  m.className = 'unit-mark';
  Object.assign(m.style, {top: `${100 * y / h}%`, left: `${100 * x / w}%`, width: `${100 / w}%`, height: `${100 / h}%`});
  t.appendChild(m);
}

let reveal = ''; // a unit picked with the pointer: bring its panel into view once it has arrived

function choose(s, scroll) {
  input.value = s;
  if (s !== props.value) props.value = s;
  reveal = scroll ? s : '';
  mark();
}

function revealed() {
  const panel = document.getElementById('unit-panel');
  const shown = panel && panel.querySelector('.lenet-unit, .refused');
  if (!reveal || !shown || (shown.dataset.unit && shown.dataset.unit !== reveal)) return;
  reveal = '';
  panel.scrollIntoView({block: 'nearest', behavior: 'smooth'});
}

document.addEventListener('click', (e) => {
  const t = e.target.closest && e.target.closest(HITS);
  if (!t) return;
  const {layer, h, w} = spec(t);
  if (layer === 'Output') return choose(unitAt(t), e.detail > 0);
  let [y, x] = position(t);
  if (e.detail > 0) { // a pointer: the unit under it (Enter and Space on a button click with detail 0)
    const r = t.getBoundingClientRect();
    y = clamp(Math.floor((e.clientY - r.top) / r.height * h), h);
    x = clamp(Math.floor((e.clientX - r.left) / r.width * w), w);
  }
  choose(unitAt(t, y, x), e.detail > 0);
});

const MOVES = {ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1]};
document.addEventListener('keydown', (e) => {
  const t = e.target.closest && e.target.closest(HITS);
  if (!t) return;
  const {layer, h, w} = spec(t);
  if (layer === 'Output') {
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); choose(unitAt(t), false); }
    return;
  }
  const d = MOVES[e.key];
  if (!d) return;
  e.preventDefault();
  const [y, x] = position(t);
  choose(unitAt(t, clamp(y + d[0], h), clamp(x + d[1], w)), false);
});

input.addEventListener('keydown', (e) => { if (e.key === 'Enter') choose(input.value.trim(), true); });
input.addEventListener('change', () => choose(input.value.trim(), false));
element.querySelector('[data-unit="stop"]').addEventListener('click', () => choose('', false));

// The value set from Python (a share link restoring a unit): show it and mark it.
watch('value', () => { input.value = props.value || ''; mark(); });

// The network view is redrawn at every reading: mark the unit again, once per frame at most; and
// the panel of a unit just picked is brought into view when it arrives.
let frame = 0;
new MutationObserver(() => {
  if (frame || !props.value) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    if (!document.querySelector('.lenet-net .on')) mark();
    revealed();
  });
}).observe(document.body, {childList: true, subtree: true});
input.value = props.value || '';
