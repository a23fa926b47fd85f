// The drawing surface: a plain <canvas> inside a Gradio custom HTML component (gr.HTML js_on_load).
// Gradio runs this body once per page with `element` (the component's root), `props` (its value and
// the props given in Python) and `trigger`. It draws with pointer events (mouse, finger, pen) and
// publishes the strokes as the component's value while the pen moves; every new value fires the
// component's "change" event, and the Python side listens with trigger_mode="always_last", so at most
// one reading is in flight per page and the newest strokes go as soon as the previous answer is in.
//
// The value: {strokes: [[[x, y], ...], ...], brush, width, height}, in canvas pixels (props.size
// square), brush = the pen's diameter. Checked and rasterised by lenet/strokes.py; the markup is
// explorer/canvas.py, TEMPLATE.
const size = Number(props.size) || 280;
const brush = Number(props.brush) || 24;
const canvas = element.querySelector('canvas');
const ctx = canvas.getContext('2d');
const strokes = [];
let current = null; // the stroke under the pen
let pen = null; // the pointerId drawing it: a second finger does not draw
let frame = 0; // a requestAnimationFrame pending to publish

// Sharp on any screen: the backing store follows the canvas's CSS size and the device pixel ratio;
// drawing happens in canvas pixels (size × size) through the transform.
function fit() {
  const box = canvas.getBoundingClientRect();
  const side = Math.max(1, Math.round((box.width || size) * (window.devicePixelRatio || 1)));
  if (canvas.width !== side) {
    canvas.width = canvas.height = side;
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
  ctx.fillRect(0, 0, size, size);
  for (const s of strokes) paint(s, 0);
}

// The value Gradio sends: a fresh object each time (Gradio compares values to decide on "change").
function publish() {
  if (frame) cancelAnimationFrame(frame);
  frame = 0;
  element.dataset.points = String(strokes.reduce((n, s) => n + s.length, 0));
  props.value = {strokes: strokes.map((s) => s.slice()), brush: brush, width: size, height: size};
}

function publishSoon() {
  if (!frame) frame = requestAnimationFrame(publish);
}

function at(e) {
  const box = canvas.getBoundingClientRect();
  const x = ((e.clientX - box.left) * size) / box.width;
  const y = ((e.clientY - box.top) * size) / box.height;
  return [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
}

canvas.addEventListener('pointerdown', (e) => {
  if (pen !== null || (e.pointerType === 'mouse' && e.button !== 0)) return;
  e.preventDefault();
  pen = e.pointerId;
  canvas.setPointerCapture(e.pointerId);
  current = [at(e)];
  strokes.push(current);
  paint(current, 0);
  publishSoon();
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
    publishSoon();
  }
});

function penUp(e) {
  if (e.pointerId !== pen) return;
  pen = null;
  current = null;
  publish(); // at once: the answer for the whole stroke is what a person waits for
}
canvas.addEventListener('pointerup', penUp);
canvas.addEventListener('pointercancel', penUp);
canvas.addEventListener('lostpointercapture', penUp);

function undo() {
  if (pen !== null || !strokes.length) return;
  strokes.pop();
  redraw();
  publish();
}

function clear() {
  if (pen !== null || !strokes.length) return;
  strokes.length = 0;
  redraw();
  publish();
}

element.querySelector('[data-ink="undo"]').addEventListener('click', undo);
element.querySelector('[data-ink="clear"]').addEventListener('click', clear);
canvas.addEventListener('keydown', (e) => {
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z') {
    e.preventDefault();
    undo();
  } else if (e.key === 'Escape' || e.key === 'Delete') {
    clear();
  }
});

new ResizeObserver(fit).observe(canvas);
fit();
element.dataset.ready = 'true';
