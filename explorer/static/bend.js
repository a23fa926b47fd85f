// Play: the sweep of the slider last moved as an animation, in the browser (explorer/bend.py). The
// sweep's view carries its bent digits as one PNG strip and, per setting, the value, the answer and
// the ten bars (.bend-frames); Play steps through them ~10 times a second, showing each in the bent
// digit's view (picture, answer, bars) and moving the sweep's dashed line, with no request per
// frame. Stop, or the end of the range, puts back what the server showed. A new view from the server
// (a slider moved, a stroke) ends the animation and is left as it came.
const FPS = 10;
let play = null; // {timer, i, frames, images, now, saved, line, cells}

function button() {
  return element.querySelector('[data-bend="play"]');
}

function stop(restore) {
  if (!play) return;
  clearInterval(play.timer);
  if (restore && play.now.isConnected) {
    play.now.innerHTML = play.saved;
    play.line.setAttribute('x1', play.x);
    play.line.setAttribute('x2', play.x);
    play.cells.forEach((c) => c.classList.remove('at'));
  }
  play = null;
  element.classList.remove('playing');
  const b = button();
  if (b) {
    b.textContent = '▶ Play';
    b.setAttribute('aria-pressed', 'false');
  }
}

function show(k) {
  const f = play.frames;
  const values = f.bars[k];
  const top = Math.max(...values.map(Math.abs)) || 1;
  const answer = f.answers[k];
  const img = play.now.querySelector('.bend-picture img');
  if (img) img.src = play.images[k];
  const said = play.now.querySelector('.bend-picture .said');
  if (said) {
    said.innerHTML = `<div class="digit">${answer}</div><p>${f.title} reads <b>${answer}</b> at <b>${f.values[k]}</b>.</p>`;
  }
  play.now.querySelectorAll('.bend-bars .bar').forEach((row, d) => {
    row.classList.toggle('answer', d === answer);
    row.querySelector('.fill').style.width = `${(100 * Math.abs(values[d])) / top}%`;
    row.querySelector('.v').textContent = values[d].toFixed(1);
  });
  const x = play.cells[k]?.getAttribute('x');
  if (x) {
    play.line.setAttribute('x1', x);
    play.line.setAttribute('x2', x);
  }
  play.cells.forEach((c, j) => c.classList.toggle('at', j === k));
  element.dataset.frame = String(k); // for the tests: the frame on screen
}

function tick() {
  if (!play) return;
  if (!play.now.isConnected || !play.source.isConnected) return stop(false); // the server sent new views
  if (play.i >= play.frames.values.length) return stop(true);
  show(play.i++);
}

function start() {
  const source = element.querySelector('.bend-frames');
  const now = document.querySelector('#bend-now .bend-now');
  const line = element.querySelector('svg.bend-sweep line.now');
  if (!source || !now || !line) return;
  const frames = JSON.parse(source.dataset.frames);
  const sprite = new Image();
  sprite.onload = () => {
    const side = sprite.height;
    const c = document.createElement('canvas');
    c.width = c.height = side;
    const ctx = c.getContext('2d');
    const images = frames.values.map((_, k) => {
      ctx.drawImage(sprite, k * side, 0, side, side, 0, 0, side, side);
      return c.toDataURL();
    });
    stop(true);
    play = {
      i: 0, frames, images, now, source, line,
      saved: now.innerHTML, x: line.getAttribute('x1'),
      cells: [...element.querySelectorAll('svg.bend-sweep text.cell')],
    };
    element.classList.add('playing');
    const b = button();
    b.textContent = '■ Stop';
    b.setAttribute('aria-pressed', 'true');
    tick();
    play.timer = setInterval(tick, 1000 / FPS);
  };
  sprite.src = source.dataset.sprite;
}

element.addEventListener('click', (e) => {
  if (!e.target.closest('[data-bend="play"]')) return;
  if (play) stop(true);
  else start();
});
