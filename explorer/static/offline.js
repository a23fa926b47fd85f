// The offline kit's page (explorer/export.py writes it beside index.html): no server, no Python.
// At every change of the drawing the chosen network reads it here (static/lenet.js, the app's live
// reading) and the page shows, from that one forward pass:
// - #message: the digit in large type and the sentence, as explorer/canvas.py's answer_html words it
//   (static/a11y.js says that sentence once the pen lifts), or the invitation: "Draw a digit";
// - #answer: the three likeliest digits with their calibrated confidence, laid out as the app's
//   gr.Label (the top row's <dt> is the digit read);
// - the network view: every layer's maps on the app's colour scale (explorer/pictures.py), F6, and
//   the RBF distances to each digit's prototype (LeNet-1: its ten probabilities).
// globalThis.LENET_KIT (weights.js): {nets: explorer/live.py's payload, page: the colour scale and
// the messages, from the app's own modules}. The canvas (static/canvas.js) is a gr.HTML js_on_load
// body in the app; the kit's canvas.js wraps it as inkCanvas(element, props, watch), called below.
(() => {
  const KIT = globalThis.LENET_KIT;
  const P = KIT.page;
  const $ = (selector) => document.querySelector(selector);
  const nets = {}; // name → unpacked network, unpacked when first used
  const net = (name) => (nets[name] ??= LeNetJS.unpack(KIT.nets[name]));
  let network = P.default;
  let drawing = null; // the canvas's last value and its points, {value, points}
  let frame = 0;

  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'})[c]);

  // --- the pictures, as explorer/pictures.py draws them ---------------------------------------------
  // One diverging scale for every map, fixed to the squashing function's range (blue −1.72, white 0,
  // red +1.72), grey between and around the maps.
  const scale = 255 / (P.hi - P.lo);
  const coloured = (v) => P.lut[Math.trunc(Math.min(255, Math.max(0, (v - P.lo) * scale + 0.5)))];
  const K = () => net(network).constants;
  const grey = (v) => { // the input as the paper draws it: white paper, black ink
    const g = Math.trunc(255 * (1 - Math.min(1, Math.max(0, (v - K().background) / (K().ink - K().background)))) + 0.5);
    return [g, g, g];
  };

  // `values` (maps × h × w, flat) into `canvas`: the maps in a grid of `cols`, 1 grey pixel around each.
  function tiles(canvas, values, maps, h, w, cols, colour) {
    const rows = Math.ceil(maps / cols);
    const W = 1 + cols * (w + 1);
    const H = 1 + rows * (h + 1);
    if (canvas.width !== W) canvas.width = W;
    if (canvas.height !== H) canvas.height = H;
    const image = new ImageData(W, H);
    const px = image.data;
    for (let i = 0; i < W * H; i++) px.set([...P.gap, 255], 4 * i);
    for (let m = 0; m < maps; m++) {
      const top = 1 + Math.floor(m / cols) * (h + 1);
      const left = 1 + (m % cols) * (w + 1);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) px.set(colour(values[(m * h + y) * w + x]), 4 * ((top + y) * W + left + x));
      }
    }
    canvas.getContext('2d').putImageData(image, 0, 0);
  }

  // --- the answer ------------------------------------------------------------------------------------
  // explorer/canvas.py, answer_html: the digit in large type, and what the network says.
  function said(n, r) {
    const d = r.digit;
    const u = r.runnerUp;
    return r.unsure
      ? `<div class="said"><div class="digit">${d}<small>or ${u}?</small></div><p>${esc(n.title)} is <b>unsure between ${d} and ${u}</b>; it leans to ${d}.</p></div>`
      : `<div class="said"><div class="digit">${d}</div><p>${esc(n.title)} reads <b>${d}</b>.</p></div>`;
  }

  // lenet/reading.py: softmax(scores / temperature), float64; the top three by score, the first of a tie first.
  function confidences(n, r) {
    const s = Array.from(r.scores, (v) => v / n.temperature);
    const top = Math.max(...s);
    const e = s.map((v) => Math.exp(v - top));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / sum);
  }

  function label(n, r) {
    const list = $('#answer dl');
    if (!r) {
      list.innerHTML = '';
      return;
    }
    const p = confidences(n, r);
    const order = [...p.keys()].sort((a, b) => r.scores[b] - r.scores[a] || a - b).slice(0, 3);
    list.innerHTML = order.map((d) => {
      const pct = `${Math.round(100 * p[d])}%`;
      return `<div class="row"><dt>${d}</dt><dd><span class="meter" aria-hidden="true"><i style="width:${pct}"></i></span>${pct}</dd></div>`;
    }).join('');
  }

  // --- the network view ------------------------------------------------------------------------------
  // The skeleton of each network's view is written by explorer/export.py (<template id="view-NAME">:
  // panels, captions, prototypes); here its pictures and bars are filled from the forward pass.
  let viewOf = null; // the network whose skeleton is in #network-view

  function blank(n) { // the empty canvas's activations: the paper alone, every unit at 0 (white)
    const acts = {input: new Float32Array(n.input_size ** 2).fill(n.constants.background), Output: null};
    for (const c of document.querySelectorAll('#network-view canvas[data-act]:not([data-act="input"])')) {
      const d = c.dataset;
      acts[d.act] = new Float32Array(Number(d.maps) * Number(d.h) * Number(d.w));
    }
    return acts;
  }

  function view(n, r) {
    const root = $('#network-view');
    if (viewOf !== n.name) {
      root.replaceChildren($(`#view-${n.name}`).content.cloneNode(true));
      viewOf = n.name;
    }
    const acts = r ? r.acts : blank(n);
    const of = r ? `of your digit, read as ${r.digit}` : 'of the empty canvas';
    for (const c of root.querySelectorAll('canvas[data-act]')) {
      const d = c.dataset;
      const colour = d.act === 'input' ? grey : coloured;
      tiles(c, acts[d.act], Number(d.maps), Number(d.h), Number(d.w), Number(d.cols), colour);
      c.setAttribute('aria-label', `${d.alt} ${of}`);
    }
    bars(root.querySelector('.panel.output'), n, r);
  }

  // explorer/network_view.py, _bars: LeNet-5's ten squared distances from F6 to the prototypes
  // (shortest wins), LeNet-1's ten probabilities (tallest wins).
  function bars(panel, n, r) {
    const lenet5 = n.arch === 'lenet5';
    const values = r ? (lenet5 ? Array.from(r.output) : confidences(n, r)) : null;
    const most = values ? Math.max(...values, 1e-9) : 1;
    const texts = values ? values.map((v) => (lenet5 ? v.toFixed(0) : `${(100 * v).toFixed(0)}%`)) : [];
    panel.querySelectorAll('.col').forEach((col, d) => {
      col.classList.toggle('answer', Boolean(r) && d === r.digit);
      col.classList.toggle('rival', Boolean(r) && r.unsure && d === r.runnerUp);
      col.querySelector('i').style.height = `${values ? (100 * (lenet5 ? values[d] / most : values[d])).toFixed(0) : 0}%`;
      col.querySelector('small').textContent = texts[d] ?? '';
    });
    const said = values ? texts.map((t, d) => `${d}: ${t}`).join(', ') + `; the answer is ${r.digit}` : 'nothing drawn yet';
    panel.querySelector('.cols').setAttribute('aria-label', `${lenet5 ? 'distance from F6 to each prototype' : 'how likely each digit is'}: ${said}`);
  }

  // --- reading ---------------------------------------------------------------------------------------
  function show(n, r, message) {
    $('#message').innerHTML = r ? said(n, r) : message;
    label(n, r);
    view(n, r);
  }

  // Read the drawing now: the answer, the invitation for nothing drawn, or the reason a picture full of
  // ink is refused (lenet/preprocess.py: noise).
  function readNow() {
    cancelAnimationFrame(frame);
    frame = 0;
    const n = net(network);
    const strokes = drawing && LeNetJS.parse(drawing.value);
    const digit = strokes && LeNetJS.preprocess(LeNetJS.rasterise(strokes), n.constants);
    if (digit === 'noise') show(n, null, P.noise);
    else if (!digit) show(n, null, P.invitation);
    else show(n, LeNetJS.read(n, digit));
    $('#message').dataset.points = String(drawing ? drawing.points : 0);
  }

  document.addEventListener('ink-strokes', (e) => { // the drawing changed (static/canvas.js)
    drawing = e.detail;
    if (e.detail.now) readNow();
    else if (!frame) frame = requestAnimationFrame(readNow);
  });
  document.addEventListener('ink-pen', (e) => { // the pen lifted: the whole drawing is read now
    if (!e.detail && frame) readNow();
  });
  for (const radio of document.querySelectorAll('#model input[name="network"]')) {
    radio.addEventListener('change', () => {
      network = radio.value;
      readNow();
    });
  }

  // For the tests and a curious console: read a 28×28 digit (784 values, ink 1 on paper 0) with the
  // chosen network and show it as a drawing's reading; its answer.
  globalThis.LeNetKit = {
    network: () => network,
    readDigit(values) {
      const n = net(network);
      const r = LeNetJS.read(n, Float32Array.from(values));
      show(n, r);
      return {digit: r.digit, output: Array.from(r.output)};
    },
  };

  // The drawing surface: static/canvas.js, as the app runs it. Its value would go to the server; here
  // it is "answered" at once, so that the canvas never waits for a reply.
  const element = $('#ink > .ink-root');
  const props = {size: P.canvas, brush: P.brush, pace: 0, ratio: 1};
  let value = null;
  Object.defineProperty(props, 'value', {
    get: () => value,
    set: (v) => {
      value = v;
      queueMicrotask(() => element.dispatchEvent(new Event('ink-answered')));
    },
  });
  // a reload may keep the radio checked before: the network read is always the one checked
  const checked = $('#model input:checked') || $(`#model input[value="${network}"]`);
  checked.checked = true;
  network = checked.value;
  show(net(network), null, P.invitation);
  inkCanvas(element, props, () => {});
})();
