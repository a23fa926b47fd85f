// The drawing surface: a plain <canvas> inside a Gradio custom HTML component (gr.HTML js_on_load).
// Gradio runs this body once per page with `element` (the component's root), `props` (its value and
// the props given in Python) and `trigger`. It draws with pointer events (mouse, finger, pen) and
// publishes the strokes as the component's value while the pen moves; every new value fires the
// component's "change" event. One reading at most is in flight: the page tells the canvas when each
// is answered (an "ink-answered" DOM event, wired by explorer/canvas.py, listen), and the newest
// strokes go then — at once when the pen is up, or, while it moves and the server is slow, after a
// pause of `pace` last round trips (explorer/canvas.py, PACE), so that a busy server (a class drawing
// at once) gets fewer mid-stroke readings and the pen-up one waits less. Gradio's trigger_mode="always_last" on the event
// is the second lock.
//
// The value: {strokes: [[[x, y], ...], ...], brush, width, height}, in canvas pixels (props.size
// wide, props.size / props.ratio high: square by default), brush = the pen's diameter. Checked and rasterised by lenet/strokes.py; the markup is
// explorer/canvas.py, TEMPLATE.
const size = Number(props.size) || 280; // canvas pixels across
const high = Math.round(size / (Number(props.ratio) || 1)); // ... and down
const brush = Number(props.brush) || 24;
const hold = Boolean(props.hold); // keep the page from getting shorter while something is drawn
const pace = Number(props.pace ?? 1); // the pause before a mid-stroke reading, in last round trips
// ... taken only when the server is slow (a class drawing at once): with a quick answer, the next
// strokes go at once, so that the last of them are often on their way before the pen is lifted.
const SLOW = 100; // ms
const canvas = element.querySelector('canvas');
const ctx = canvas.getContext('2d');
const strokes = [];
let current = null; // the stroke under the pen
let pen = null; // the pointerId drawing it: a second finger does not draw
let frame = 0; // a requestAnimationFrame pending to publish
let timer = 0; // ... or a timer, while the pen moves and the last reading is recent
let version = 0; // bumped at every change of the drawing
let sent = 0; // the version last published
let last = ''; // ... as JSON: an unchanged value fires no event, so it is not waited for
let inflight = 0; // when the reading in flight was published (performance.now()), or 0
let rest = 0; // when the next mid-stroke reading may go: the answer's arrival plus its round trip
let stuck = 0; // a timer that stops waiting for an answer that never comes (an error, a lost event)

// Sharp on any screen: the backing store follows the canvas's CSS size and the device pixel ratio;
// drawing happens in canvas pixels (size × high) through the transform.
function fit() {
  const box = canvas.getBoundingClientRect();
  const side = Math.max(1, Math.round((box.width || size) * (window.devicePixelRatio || 1)));
  if (canvas.width !== side) {
    canvas.width = side;
    canvas.height = Math.max(1, Math.round((side * high) / size));
  }
  ctx.setTransform(side / size, 0, 0, side / size, 0, 0);
  redraw();
}

function paint(points, from) {
  ctx.lineCap = ctx.lineJoin = 'round';
  ctx.lineWidth = brush;
  ctx.strokeStyle = ctx.fillStyle = '#000';
  if (points.length === 1) { // a dot
    ctx.beginPath();
    ctx.arc(points[0][0], points[0][1], brush / 2, 0, 2 * Math.PI);
    ctx.fill();
    return;
  }
  ctx.beginPath();
  ctx.moveTo(points[Math.max(0, from - 1)][0], points[Math.max(0, from - 1)][1]);
  for (let i = Math.max(1, from); i < points.length; i++) ctx.lineTo(points[i][0], points[i][1]);
  ctx.stroke();
}

function redraw() {
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, size, high);
  for (const s of strokes) paint(s, 0);
  crosshair();
}

// Tell the page when a pen goes down or up (static/a11y.js says the answer once it is up).
function penSays(down) {
  element.dispatchEvent(new CustomEvent('ink-pen', {bubbles: true, detail: down}));
}

// The value Gradio sends: a fresh object each time (Gradio compares values to decide on "change").
function publish() {
  cancelAnimationFrame(frame);
  clearTimeout(timer);
  frame = timer = 0;
  if (inflight || sent === version) return;
  sent = version;
  const value = {strokes: strokes.map((s) => s.slice()), brush: brush, width: size, height: high};
  const json = JSON.stringify(value);
  if (json === last) return;
  last = json;
  inflight = performance.now();
  stuck = setTimeout(answered, 5000);
  props.value = value;
}

// The page's answer arrived (or the reading failed): send what changed meanwhile.
function answered() {
  if (!inflight) return;
  const now = performance.now();
  const trip = now - inflight;
  rest = trip > SLOW ? now + pace * Math.min(trip, 1000) : 0;
  inflight = 0;
  clearTimeout(stuck);
  if (sent !== version) schedule(pen === null);
}
element.addEventListener('ink-answered', answered);

// The drawing changed: publish now (pen up, Undo, Clear) or soon (the pen moves), one at a time.
function changed(now) {
  version++;
  element.dataset.points = String(strokes.reduce((n, s) => n + s.length, 0));
  told(now);
  schedule(now);
}

// Tell the page the drawing changed (static/live.js reads it in the browser at once): its value,
// its points, and whether it is read now (pen up, Undo, Clear) or at the next frame.
function told(now) {
  const value = {strokes: strokes.map((s) => s.slice()), brush: brush, width: size, height: high};
  const detail = {value, points: Number(element.dataset.points), now};
  element.dispatchEvent(new CustomEvent('ink-strokes', {bubbles: true, detail}));
}

function schedule(now) {
  if (inflight) return; // answered() sends it
  const wait = now ? 0 : rest - performance.now();
  if (now) publish();
  else if (!frame && !timer) {
    if (wait > 16) timer = setTimeout(publish, wait);
    else frame = requestAnimationFrame(publish);
  }
}

function at(e) {
  const box = canvas.getBoundingClientRect();
  const x = ((e.clientX - box.left) * size) / box.width;
  const y = ((e.clientY - box.top) * high) / box.height;
  return [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
}

// With props.hold, the page never gets shorter while something is drawn: an answer below the canvas
// that is shorter than the last would pull a page scrolled to its end up under the pen (a phone).
function holdHeight(drawing) {
  if (!hold) return;
  const root = document.documentElement;
  const held = parseFloat(root.style.minHeight) || 0;
  root.style.minHeight = drawing ? Math.max(held, root.scrollHeight) + 'px' : '';
}

// ... and gives the height back once the canvas is hidden (another tab opened): nothing to hold for.
if (hold) {
  new IntersectionObserver(() => {
    if (canvas.offsetParent === null) document.documentElement.style.minHeight = '';
  }).observe(canvas);
}

canvas.addEventListener('pointerdown', (e) => {
  if (pen !== null || (e.pointerType === 'mouse' && e.button !== 0)) return;
  e.preventDefault();
  holdHeight(true);
  pen = e.pointerId;
  penSays(true);
  canvas.setPointerCapture(e.pointerId);
  current = [at(e)];
  strokes.push(current);
  paint(current, 0);
  changed(false);
});

canvas.addEventListener('pointermove', (e) => {
  if (e.pointerId !== pen) return;
  e.preventDefault();
  const from = current.length;
  const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
  for (const c of events.length ? events : [e]) {
    const p = at(c);
    const last = current[current.length - 1];
    if (Math.hypot(p[0] - last[0], p[1] - last[1]) >= 1) current.push(p); // a pixel apart at least
  }
  if (current.length > from) {
    paint(current, from);
    changed(false);
  }
});

function penUp(e) {
  if (e.pointerId !== pen) return;
  pen = null;
  current = null;
  penSays(false);
  schedule(true); // at once: the answer for the whole stroke is what a person waits for
}
canvas.addEventListener('pointerup', penUp);
canvas.addEventListener('pointercancel', penUp);
canvas.addEventListener('lostpointercapture', penUp);

function undo() {
  if (pen !== null || !strokes.length) return;
  strokes.pop();
  redraw();
  changed(true);
}

function clear() {
  if (pen !== null || !strokes.length) return;
  strokes.length = 0;
  holdHeight(false);
  redraw();
  changed(true);
}

element.querySelector('[data-ink="undo"]').addEventListener('click', undo);
element.querySelector('[data-ink="clear"]').addEventListener('click', clear);
canvas.addEventListener('keydown', (e) => {
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z') {
    e.preventDefault();
    keysUp();
    undo();
  } else if (e.key === 'Escape' || e.key === 'Delete') {
    keysUp();
    clear();
  }
});

// The keyboard's pen (issue 16, item 5), for a person who draws without a pointer: with the canvas
// focused, the arrow keys move a ring (Shift: finer steps), Space or Enter puts the pen down or lifts
// it, and while it is down every move draws — the same strokes, read the same way, as a mouse's.
const KEYS = 'keys'; // `pen` while the keyboard draws: no pointerId equals it
const STEP = 10; // canvas pixels per arrow key (Shift: 2)
let keys = null; // where the keyboard's pen is, [x, y], once an arrow or Space was pressed
function crosshair() {
  if (!keys) return;
  ctx.save();
  ctx.lineWidth = 2;
  ctx.strokeStyle = pen === KEYS ? '#d97706' : '#2563eb';
  ctx.beginPath();
  ctx.arc(keys[0], keys[1], brush / 2 + 3, 0, 2 * Math.PI);
  ctx.stroke();
  ctx.restore();
}
function keysUp() {
  if (pen === KEYS) penUp({pointerId: KEYS});
}
const MOVES = {ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1]};
canvas.addEventListener('keydown', (e) => {
  const move = MOVES[e.key];
  const toggle = e.key === ' ' || e.key === 'Enter';
  if ((!move && !toggle) || e.ctrlKey || e.metaKey || e.altKey || (pen !== null && pen !== KEYS)) return;
  e.preventDefault(); // the page does not scroll
  keys = keys || [size / 2, high / 2];
  if (move) {
    const step = e.shiftKey ? 2 : STEP;
    const within = (v, most) => Math.min(most, Math.max(0, v));
    keys = [within(keys[0] + move[0] * step, size), within(keys[1] + move[1] * step, high)];
    if (pen === KEYS) {
      current.push(keys.slice());
      changed(false);
    }
  } else if (pen === KEYS) {
    keysUp();
  } else {
    holdHeight(true);
    pen = KEYS;
    penSays(true);
    current = [keys.slice()];
    strokes.push(current);
    changed(false);
  }
  redraw();
});
canvas.addEventListener('blur', () => {
  keysUp();
  keys = null;
  redraw();
});
canvas.addEventListener('pointerdown', () => {
  if (keys && pen !== KEYS) {
    keys = null; // a pointer draws: the ring goes
    redraw();
  }
});
canvas.setAttribute('aria-label', `${canvas.getAttribute('aria-label')}; with the keyboard, the arrow keys move the pen and Space puts it down or lifts it`);

// For the Share button (static/share.js): the drawing as the canvas holds it.
canvas.inkValue = () => ({strokes: strokes.map((s) => s.slice()), brush: brush, width: size, height: high});

// A drawing set by the server (a lesson link, explorer/lesson.py): drawn; its change reads it as any drawing.
watch('value', () => {
  const v = props.value;
  if (!v || !Array.isArray(v.strokes) || JSON.stringify(v) === last || pen !== null) return;
  const sx = size / (Number(v.width) || size);
  const sy = high / (Number(v.height) || high);
  strokes.length = 0;
  for (const s of v.strokes) strokes.push(s.map((p) => [p[0] * sx, p[1] * sy]));
  redraw();
  version++;
  sent = version; // the server's value fires the reading itself: nothing to publish
  last = JSON.stringify(v);
  element.dataset.points = String(strokes.reduce((n, s) => n + s.length, 0));
  told(true);
});

new ResizeObserver(fit).observe(canvas);
fit();
element.dataset.ready = 'true';
