// The live reading (explorer/live.py): run once per page as the js_on_load of a hidden gr.HTML,
// after static/lenet.js. At every change of the drawing (the canvas's "ink-strokes" event,
// static/canvas.js) the chosen network reads it here, and the answer shows at once under the canvas,
// in a part of #message of its own (data-source="browser", data-live-points: how many points it
// read). The strokes still go to the server; when its message covers the whole drawing
// (data-points, data-source="server") or says something else (another network, a photo), the
// browser's part goes and the server's shows. Meanwhile the server's views (#views, #answer) are
// marked behind, and the browser's part says "maps updating…": no stale view passes for current.
// props: nets (explorer/live.py, payload, less the weights), weights (the URL of their .json file),
// network (the one chosen at load), ids, invitation.
const ids = props.ids;
const nets = {}; // name → unpacked network, unpacked when first used
let network = props.network;
let drawing = null; // the canvas's last value and its points, {value, points}
let frame = 0;
let showing = false; // the browser's part shows
let lastServer = null; // the server's message as last seen

const byId = (id) => document.getElementById(id);

let weights = null; // name → base64, fetched once (a .json file: served compressed)

function net(name) {
  if (!nets[name] && weights?.[name] && props.nets[name]) nets[name] = LeNetJS.unpack({...props.nets[name], weights: weights[name]});
  return nets[name];
}

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'})[c]);

// The answer as explorer/canvas.py, answer_html, words it, and the output row of the network view
// (explorer/network_view.py, _bars): LeNet-5's ten distances (shortest wins), LeNet-1's ten scores.
function said(n, r, points) {
  const d = r.digit;
  const big = r.unsure ? `${d}<small>or ${r.runnerUp}?</small>` : `${d}`;
  const words = r.unsure ? `${esc(n.title)} is <b>unsure between ${d} and ${r.runnerUp}</b>; it leans to ${d}.`
    : `${esc(n.title)} reads <b>${d}</b>.`;
  const out = Array.from(r.output);
  const lenet5 = n.arch === 'lenet5';
  const lo = Math.min(...out);
  const hi = Math.max(...out);
  const cols = out.map((v, i) => {
    const h = lenet5 ? v / Math.max(hi, 1e-9) : (v - lo) / Math.max(hi - lo, 1e-9);
    const cls = i === d ? 'answer' : r.unsure && i === r.runnerUp ? 'rival' : '';
    const text = lenet5 ? v.toFixed(0) : v.toFixed(1);
    return `<span class="${cls}" title="${lenet5 ? 'distance' : 'score'} ${text}"><i style="height:${(100 * h).toFixed(0)}%"></i><b>${i}</b></span>`;
  }).join('');
  const what = lenet5 ? 'distance to each prototype, shortest wins' : 'score of each digit, tallest wins';
  return `<div class="live-said" data-source="browser" data-live-points="${points}" data-network="${esc(n.name)}" ` +
    `data-digit="${d}" data-output="${out.map((v) => v.toPrecision(6)).join(' ')}">` +
    `<div class="live-digit">${big}</div><p>${words}</p>` +
    `<div class="live-bars" role="img" aria-label="${what}">${cols}</div>` +
    `<p class="live-note">read in your browser · <span>maps updating…</span></p></div>`;
}

function part() {
  const message = byId(ids.message);
  if (!message) return null;
  let p = message.querySelector(':scope > .live-part');
  if (!p) {
    p = document.createElement('div');
    p.className = 'live-part';
    message.append(p);
  }
  return p;
}

function behind(yes) {
  showing = yes;
  byId(ids.message)?.classList.toggle('live-ahead', yes);
  for (const id of [ids.views, ids.answer]) byId(id)?.classList.toggle('live-behind', yes);
  if (!yes) {
    const p = part();
    if (p) p.innerHTML = '';
  }
}

// Read the drawing here and show it: the answer, or the invitation for nothing drawn; a picture the
// server refuses as noise is left to the server (its reason shows when it comes: "reading…" till
// then). Not when the server's answer for this drawing came first — unless the network was switched.
function readNow(switched = false) {
  cancelAnimationFrame(frame);
  frame = 0;
  if (!drawing) return;
  const n = net(network);
  const p = part();
  if (!n || !p) return;
  if (!switched && serverCovers()) return behind(false); // the server's answer for this drawing came first
  const strokes = LeNetJS.parse(drawing.value);
  const digit = strokes && LeNetJS.preprocess(LeNetJS.rasterise(strokes), n.constants);
  const mark = `class="live-said" data-source="browser" data-live-points="${drawing.points}"`;
  if (digit === 'noise') p.innerHTML = `<div ${mark}><p class="live-note">Reading… <span>maps updating…</span></p></div>`;
  else p.innerHTML = digit ? said(n, LeNetJS.read(n, digit), drawing.points) : `<div ${mark}>${props.invitation}</div>`;
  lastServer = serverMessage();
  behind(true);
}

// The server's message is for this very drawing (as many points read as it holds).
function serverCovers() {
  const counted = byId(ids.message)?.querySelector('[data-source="server"][data-points]');
  return Boolean(counted && drawing && Number(counted.dataset.points) === drawing.points);
}

// The server's part of #message: what Gradio renders there, without ours and without Gradio's
// status tracker (its timer ticks while a request is pending: that is not an answer).
function serverMessage() {
  const message = byId(ids.message);
  if (!message) return '';
  return [...message.children].filter((c) => !c.classList.contains('live-part') && c.dataset.testid !== 'status-tracker')
    .map((c) => c.innerHTML).join('');
}

// The server answered: its message covers the whole drawing, or is about something else (a network
// switched, a photo read): the browser's part goes.
function serverChanged() {
  if (!showing) return;
  const now = serverMessage();
  if (now === lastServer) return;
  lastServer = now;
  const counted = byId(ids.message).querySelector('[data-source="server"][data-points]');
  if (!counted || serverCovers()) behind(false);
}

document.addEventListener('ink-strokes', (e) => {
  if (!e.target.closest || !e.target.closest(`#${ids.ink}`)) return;
  drawing = e.detail;
  if (e.detail.now) readNow();
  else if (!frame) frame = requestAnimationFrame(() => readNow());
});

// ... and when a reading of the canvas is answered (explorer/canvas.py, listen): its message may be
// the very one shown before (an Undo back to the same drawing), which changes nothing to observe.
document.addEventListener('ink-answered', () => setTimeout(() => {
  if (showing && serverCovers()) behind(false);
}));

// The pen lifted: the reading of the whole drawing shows now, not at the next frame.
document.addEventListener('ink-pen', (e) => {
  if (!e.detail && frame) readNow();
});

document.addEventListener('lenet-network', (e) => {
  network = e.detail;
  // read again by this network at once, while the drawing is what the page reads (the Draw tab is
  // open); the server's reading by this network comes with its message
  if (byId(ids.ink)?.querySelector('canvas')?.offsetParent) readNow(true);
});

function observe() {
  const message = byId(ids.message);
  if (!message) return setTimeout(observe, 200);
  new MutationObserver(serverChanged).observe(message, {childList: true, subtree: true, characterData: true});
}
observe();
fetch(props.weights).then((r) => (r.ok ? r.json() : Promise.reject(new Error(`${r.status} ${r.statusText}`)))).then((w) => {
  weights = w;
  net(network); // unpacked now, not at the first stroke
  element.dataset.ready = 'true';
}).catch((e) => {
  element.dataset.failed = String(e); // the server's readings go on as before
});
