// LeNet-5 and LeNet-1 read in the browser: the canvas's strokes rasterised and preprocessed as the
// server does (lenet/strokes.py, lenet/preprocess.py), then the forward pass (lenet/model.py), in
// plain JavaScript with no dependency. Python stays the reference: tests/app/test_live_browser.py
// measures how closely this follows it (docs/IN-THE-BROWSER.md gives the figures).
//
// The weights are not kept here: the server hands them over, read from the shipped files at start-up
// (explorer/live.py, payload), with the constants this file needs (the scaled tanh, the input levels,
// Table I). Defines globalThis.LeNetJS = {unpack, read, forward, preprocess, rasterise, parse}.
globalThis.LeNetJS = (() => {
  // --- Python's arithmetic where it decides a pixel -----------------------------------------------
  const round = (x) => { // Python's round(): halves go to the even neighbour
    const f = Math.floor(x);
    const d = x - f;
    return d > 0.5 ? f + 1 : d < 0.5 ? f : (f % 2 === 0 ? f : f + 1);
  };
  const median = (values) => { // numpy's median: the mean of the two middle values of an even count
    const s = Float64Array.from(values).sort();
    const n = s.length;
    return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  };

  // --- the weights, as explorer/live.py packs them ------------------------------------------------
  // Little-endian float32s in four byte planes (every value's byte 0, then every byte 1, ...): the
  // same numbers, but the exponent bytes lie together and compress well (~35 % smaller gzipped).
  function decode(b64) {
    const bin = atob(b64);
    const n = bin.length / 4;
    const bytes = new Uint8Array(bin.length);
    for (let p = 0; p < 4; p++) for (let i = 0; i < n; i++) bytes[i * 4 + p] = bin.charCodeAt(p * n + i);
    return new Float32Array(bytes.buffer);
  }

  // {arch, tensors: [[key, shape], ...], weights: base64, ...} → the same with `t`: key → Float32Array.
  function unpack(net) {
    const all = decode(net.weights);
    const t = {};
    let at = 0;
    for (const [key, shape] of net.tensors) {
      const n = shape.reduce((a, b) => a * b, 1);
      t[key] = all.subarray(at, at + n);
      at += n;
    }
    if (at !== all.length) throw new Error(`weights of ${net.name}: ${all.length} values, the shapes say ${at}`);
    return {...net, t};
  }

  // --- the layers (lenet/model.py), maps stored flat: [map][row][column] --------------------------
  // A 5×5 (k×k) convolution of `x` (inMaps maps side × side); out map o reads the input maps ins[o]
  // with the kernels at kernel[o][j] (offsets into `w`, k×k each); f: the squashing function or none.
  function conv(x, side, w, bias, ins, kernel, k, f) {
    const out = side - k + 1;
    const y = new Float32Array(ins.length * out * out);
    for (let o = 0; o < ins.length; o++) {
      for (let r = 0; r < out; r++) {
        for (let c = 0; c < out; c++) {
          let s = bias[o];
          for (let j = 0; j < ins[o].length; j++) {
            const base = ins[o][j] * side * side;
            const kw = kernel[o][j];
            for (let u = 0; u < k; u++) {
              const row = base + (r + u) * side + c;
              const kr = kw + u * k;
              for (let v = 0; v < k; v++) s += x[row + v] * w[kr + v];
            }
          }
          y[(o * out + r) * out + c] = f(s);
        }
      }
    }
    return y;
  }

  function full(inMaps, outMaps) { // every output map reads every input map
    const ins = [];
    const kernel = [];
    for (let o = 0; o < outMaps; o++) {
      ins.push([...Array(inMaps).keys()]);
      kernel.push(ins[o].map((i) => (o * inMaps + i) * 25));
    }
    return {ins, kernel};
  }

  function partial(table) { // C3: out map o reads the S2 maps of Table I's row o, one kernel each
    const kernel = [];
    let n = 0;
    for (const row of table) kernel.push(row.map(() => 25 * n++));
    return {ins: table, kernel};
  }

  // 2×2 blocks summed (in avg_pool2d's order), then × coefficient + bias per map (LeNet-5's S2, S4:
  // section II-B), or averaged (LeNet-1); f: the squashing function or none.
  function subsample(x, maps, side, coefficient, bias, f) {
    const h = side / 2;
    const y = new Float32Array(maps * h * h);
    for (let m = 0; m < maps; m++) {
      const a = coefficient ? coefficient[m] : 0.25;
      const b = bias ? bias[m] : 0;
      for (let r = 0; r < h; r++) {
        for (let c = 0; c < h; c++) {
          const i = m * side * side + 2 * r * side + 2 * c;
          y[(m * h + r) * h + c] = f(Math.fround(Math.fround(Math.fround(x[i] + x[i + 1]) + x[i + side]) + x[i + side + 1]) * a + b);
        }
      }
    }
    return y;
  }

  function linear(x, w, bias, f) {
    const n = x.length;
    const y = new Float32Array(bias.length);
    for (let o = 0; o < bias.length; o++) {
      let s = bias[o];
      for (let i = 0; i < n; i++) s += x[i] * w[o * n + i];
      y[o] = f(s);
    }
    return y;
  }

  // Every stage for one 28×28 digit (Float32Array(784), ink in [0, 1]), as forward_intermediates.
  function forward(net, digit) {
    const {t, constants: K} = net;
    const squash = (a) => K.tanh_a * Math.tanh(K.tanh_s * a); // appendix A
    const none = (a) => a;
    const S = net.input_size;
    const pad = (S - 28) / 2;
    const input = new Float32Array(S * S).fill(K.background); // padding is paper, as in prepare()
    for (let r = 0; r < 28; r++) {
      for (let c = 0; c < 28; c++) input[(r + pad) * S + c + pad] = K.background + (K.ink - K.background) * digit[r * 28 + c];
    }
    const acts = {input};
    if (net.arch === 'lenet5') {
      let m = full(1, 6);
      acts.C1 = conv(input, 32, t['c1.weight'], t['c1.bias'], m.ins, m.kernel, 5, squash); // 6 × 28×28
      acts.S2 = subsample(acts.C1, 6, 28, t['s2.coefficient'], t['s2.bias'], squash); // 6 × 14×14
      m = partial(K.c3_table);
      acts.C3 = conv(acts.S2, 14, t['c3.weight'], t['c3.bias'], m.ins, m.kernel, 5, squash); // 16 × 10×10
      acts.S4 = subsample(acts.C3, 16, 10, t['s4.coefficient'], t['s4.bias'], squash); // 16 × 5×5
      m = full(16, 120);
      acts.C5 = conv(acts.S4, 5, t['c5.weight'], t['c5.bias'], m.ins, m.kernel, 5, squash); // 120
      acts.F6 = linear(acts.C5, t['f6.weight'], t['f6.bias'], squash); // 84
      const centres = t['output.centres']; // (10, 84): the fixed figure-3 prototypes
      const out = new Float32Array(10); // eq. 7: squared Euclidean distances
      for (let d = 0; d < 10; d++) {
        let s = 0;
        for (let j = 0; j < 84; j++) s += (acts.F6[j] - centres[d * 84 + j]) ** 2;
        out[d] = s;
      }
      acts.Output = out;
      acts.scores = out.map((v) => -v);
    } else { // lenet1
      let m = full(1, 4);
      acts.C1 = conv(input, 28, t['c1.weight'], t['c1.bias'], m.ins, m.kernel, 5, squash); // 4 × 24×24
      acts.S2 = subsample(acts.C1, 4, 24, null, null, none); // 4 × 12×12
      m = full(4, 12);
      acts.C3 = conv(acts.S2, 12, t['c3.weight'], t['c3.bias'], m.ins, m.kernel, 5, squash); // 12 × 8×8
      acts.S4 = subsample(acts.C3, 12, 8, null, null, none); // 12 × 4×4
      acts.Output = linear(acts.S4, t['output.weight'], t['output.bias'], none); // 10 logits
      acts.scores = acts.Output;
    }
    return acts;
  }

  // The answer as lenet/reading.py gives it: best and second score (first wins a tie), doubt.
  function read(net, digit) {
    const acts = forward(net, digit);
    const s = acts.scores;
    const order = [...s.keys()].sort((a, b) => s[b] - s[a] || a - b);
    const [digitRead, runnerUp] = order;
    return {digit: digitRead, runnerUp, unsure: s[digitRead] - s[runnerUp] < net.unsure_gap, output: acts.Output,
            scores: s, acts};
  }

  // --- the strokes (lenet/strokes.py) -------------------------------------------------------------
  const RASTER = 280;

  function thinned(points, apart) { // lenet.strokes._thinned
    const kept = points.slice(0, 1);
    for (const p of points.slice(1, -1)) {
      const q = kept[kept.length - 1];
      if ((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 >= apart * apart) kept.push(p);
    }
    return points.length > 1 ? kept.concat(points.slice(-1)) : kept;
  }

  // The drawing as ink: Float32Array(w × h), 1 under the pen, 0 on paper, and {w, h}. Pillow draws
  // lenet.strokes.rasterise's lines as polygons with round joints and caps, without anti-aliasing;
  // here a pixel is ink when it lies within the pen's radius of the stroke — the same round pen,
  // differing from Pillow's by a pixel along some edges (measured: docs/IN-THE-BROWSER.md).
  function rasterise(value) {
    const scale = Math.min(1, RASTER / Math.max(value.width, value.height));
    const w = Math.max(1, round(value.width * scale));
    const h = Math.max(1, round(value.height * scale));
    const pen = Math.max(1, value.brush * scale);
    const r = Math.max(1, round(pen)) / 2;
    const ink = new Float32Array(w * h);
    const dot = (x0, y0, x1, y1) => { // a segment with round ends, i.e. a capsule
      const dx = x1 - x0;
      const dy = y1 - y0;
      const len2 = dx * dx + dy * dy;
      const top = Math.max(0, Math.floor(Math.min(y0, y1) - r - 1));
      const bottom = Math.min(h - 1, Math.ceil(Math.max(y0, y1) + r + 1));
      const left = Math.max(0, Math.floor(Math.min(x0, x1) - r - 1));
      const right = Math.min(w - 1, Math.ceil(Math.max(x0, x1) + r + 1));
      for (let y = top; y <= bottom; y++) {
        for (let x = left; x <= right; x++) {
          const u = len2 ? Math.min(1, Math.max(0, ((x - x0) * dx + (y - y0) * dy) / len2)) : 0;
          const ex = x - x0 - u * dx;
          const ey = y - y0 - u * dy;
          if (ex * ex + ey * ey <= r * r) ink[y * w + x] = 1;
        }
      }
    };
    for (const stroke of value.strokes) {
      // Pillow draws a wide line between whole pixels (its C code truncates the points): so here
      const points = thinned(stroke.map(([x, y]) => [x * scale, y * scale]), Math.max(1, pen / 4))
        .map(([x, y]) => [Math.trunc(x), Math.trunc(y)]);
      if (points.length === 1) dot(points[0][0], points[0][1], points[0][0], points[0][1]);
      for (let i = 1; i < points.length; i++) dot(points[i - 1][0], points[i - 1][1], points[i][0], points[i][1]);
    }
    return {ink, w, h};
  }

  // --- the picture → the MNIST-style digit (lenet/preprocess.py) ----------------------------------
  // Pillow's resampling (libImaging/Resample.c, precompute_coeffs) with its Lanczos filter, on a
  // float image: one pass along rows, then one along columns, each skipped when its size is kept.
  const sinc = (x) => (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x));
  const lanczos = (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0);

  function coefficients(inSize, outSize) {
    const scale = inSize / outSize;
    const filterscale = Math.max(1, scale);
    const support = 3 * filterscale;
    const taps = [];
    for (let xx = 0; xx < outSize; xx++) {
      const centre = (xx + 0.5) * scale;
      const xmin = Math.max(0, Math.trunc(centre - support + 0.5));
      const xmax = Math.min(inSize, Math.trunc(centre + support + 0.5)) - xmin;
      const k = [];
      let ww = 0;
      for (let x = 0; x < xmax; x++) {
        const v = lanczos((x + xmin - centre + 0.5) / filterscale);
        k.push(v);
        ww += v;
      }
      taps.push({xmin, k: ww !== 0 ? k.map((v) => v / ww) : k});
    }
    return taps;
  }

  function resize(a, w, h, W, H) { // Float32Array h×w → H×W
    if (W !== w) {
      const taps = coefficients(w, W);
      const b = new Float32Array(W * h);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < W; x++) {
          const {xmin, k} = taps[x];
          let s = 0;
          for (let i = 0; i < k.length; i++) s += a[y * w + xmin + i] * k[i];
          b[y * W + x] = s;
        }
      }
      a = b;
    }
    if (H !== h) {
      const taps = coefficients(h, H);
      const b = new Float32Array(W * H);
      for (let y = 0; y < H; y++) {
        const {xmin, k} = taps[y];
        for (let x = 0; x < W; x++) {
          let s = 0;
          for (let i = 0; i < k.length; i++) s += a[(xmin + i) * W + x] * k[i];
          b[y * W + x] = s;
        }
      }
      a = b;
    }
    return a;
  }

  // _fit: crop to the ink (> 0), resize (Lanczos, aspect kept) so the longer side is `side`, clip.
  function fit(ink, w, h, side) {
    let top = h, bottom = -1, left = w, right = -1;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (ink[y * w + x] > 0) {
          top = Math.min(top, y); bottom = Math.max(bottom, y);
          left = Math.min(left, x); right = Math.max(right, x);
        }
      }
    }
    const cw = right - left + 1;
    const ch = bottom - top + 1;
    const crop = new Float32Array(cw * ch);
    for (let y = 0; y < ch; y++) crop.set(ink.subarray((top + y) * w + left, (top + y) * w + left + cw), y * cw);
    const s = side / Math.max(cw, ch);
    const W = Math.max(1, round(cw * s));
    const H = Math.max(1, round(ch * s));
    const out = resize(crop, cw, ch, W, H);
    for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, out[i]));
    return {a: out, w: W, h: H};
  }

  function strokeWidth(a, w, h) { // 2 · area / perimeter of the ink above 0.5
    const b = (y, x) => (y >= 0 && y < h && x >= 0 && x < w ? a[y * w + x] > 0.5 : false);
    let area = 0, perimeter = 0;
    for (let y = -1; y < h + 1; y++) {
      for (let x = -1; x < w + 1; x++) {
        area += b(y, x);
        perimeter += (b(y, x) !== b(y + 1, x)) + (b(y, x) !== b(y, x + 1));
      }
    }
    return perimeter ? (2 * area) / perimeter : 0;
  }

  function rankFilter(a, w, h, size, op) { // square max or min filter, zero outside
    const before = Math.floor(size / 2);
    let src = a;
    for (const axis of [0, 1]) {
      const dst = new Float32Array(w * h);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          let v = null;
          for (let i = -before; i < size - before; i++) {
            const yy = axis === 0 ? y + i : y;
            const xx = axis === 1 ? x + i : x;
            const u = yy >= 0 && yy < h && xx >= 0 && xx < w ? src[yy * w + xx] : 0;
            v = v === null ? u : op(v, u);
          }
          dst[y * w + x] = v;
        }
      }
      src = dst;
    }
    return src;
  }

  function padded(a, w, h, p) {
    const W = w + 2 * p;
    const out = new Float32Array(W * (h + 2 * p));
    for (let y = 0; y < h; y++) out.set(a.subarray(y * w, y * w + w), (y + p) * W + p);
    return {a: out, w: W, h: h + 2 * p};
  }

  function centre(box) { // the 20×20 box at its centre of mass in the 28×28 field
    let mass = 0, cy = 0, cx = 0;
    for (let y = 0; y < box.h; y++) {
      for (let x = 0; x < box.w; x++) {
        const v = box.a[y * box.w + x];
        mass += v; cy += v * y; cx += v * x;
      }
    }
    if (mass <= 0) return null;
    const F = 28;
    const top = Math.min(Math.max(round(14 - cy / mass), 0), F - box.h);
    const left = Math.min(Math.max(round(14 - cx / mass), 0), F - box.w);
    const out = new Float32Array(F * F);
    for (let y = 0; y < box.h; y++) out.set(box.a.subarray(y * box.w, (y + 1) * box.w), (top + y) * F + left);
    return out;
  }

  // The rasterised drawing {ink, w, h} (ink in [0, 1]) → the 28×28 digit (Float32Array(784)), null
  // for nothing drawn, or 'noise' where the server refuses the picture as noise (MAX_CROSSINGS).
  function preprocess({ink, w, h}, K) {
    // ink_map: the paper is the median of the border (a frame 1/32 of the shorter side wide)
    const k = Math.max(1, Math.floor(Math.min(w, h) / 32));
    const frame = [];
    for (let y = 0; y < h; y++) {
      const edge = y < k || y >= h - k;
      for (let x = 0; x < w; x = edge || x >= w - k - 1 || x < k - 1 ? x + 1 : w - k) frame.push(ink[y * w + x]);
    }
    const paper = median(frame);
    const a = new Float32Array(w * h);
    let peak = 0;
    for (let i = 0; i < a.length; i++) {
      a[i] = Math.abs(ink[i] - paper);
      if (a[i] > peak) peak = a[i];
    }
    if (peak < K.min_contrast) return null; // nothing drawn
    const floor = K.noise_floor * peak;
    const span = (1 - K.noise_floor) * peak;
    for (let i = 0; i < a.length; i++) a[i] = Math.min(1, Math.max(0, (a[i] - floor) / span));
    if (crossings(a, w, h) > K.max_crossings) return 'noise';
    // normalize(): the working copy, the pen made MNIST's, then the 20×20 box and the centring
    let work = fit(a, w, h, K.work);
    let top = 0;
    for (const v of work.a) top = Math.max(top, v);
    const most = Math.max(top, 1e-6);
    work.a = work.a.map((v) => v / most);
    const target = (K.mnist_pen * K.work) / K.box;
    const pen = strokeWidth(work.a, work.w, work.h);
    if (pen > 0 && pen < 0.6 * target) {
      const size = round(target - pen) + 1;
      const p = padded(work.a, work.w, work.h, size);
      const grown = rankFilter(p.a, p.w, p.h, size, Math.max);
      const m = median(grown.filter((v) => v > 0.1));
      work = {a: grown.map((v) => Math.min(1, Math.max(0, v / m))), w: p.w, h: p.h};
    } else if (pen > 1.6 * target) {
      const thinner = rankFilter(work.a, work.w, work.h, round(pen - target) + 1, Math.min);
      if (thinner.some((v) => v > 0.5)) work = {...work, a: thinner};
    }
    if (!work.a.some((v) => v > 0)) return null;
    return centre(fit(work.a, work.w, work.h, K.box));
  }

  function crossings(a, w, h) { // median runs of ink per row and per column holding ink: the larger
    const runs = (n, m, first, along) => { // line i starts at i * first, its pixels `along` apart
      const counts = [];
      for (let i = 0; i < n; i++) {
        let c = 0;
        let before = false;
        for (let j = 0, at = i * first; j < m; j++, at += along) {
          const inked = a[at] > 0.5;
          if (inked && !before) c++;
          before = inked;
        }
        if (c) counts.push(c);
      }
      return counts.length ? median(counts) : 0;
    };
    return Math.max(runs(h, w, w, 1), runs(w, h, 1, w));
  }

  // The canvas's value → what lenet.strokes.parse keeps: null when nothing is drawn.
  function parse(value) {
    if (!value || !Array.isArray(value.strokes)) return null;
    const strokes = value.strokes.filter((s) => s.length);
    return strokes.length ? {...value, strokes} : null;
  }

  return {unpack, forward, read, rasterise, preprocess, parse, resize, round};
})();
