// Keyboard and screen reader (issue 16, item 5), run once when the page loads (Blocks.launch(js=...)).
// - A live region of ours (#reading-said, aria-live="polite": Gradio's .sr-only one does not announce
//   our answer) that says the answer in #message once per settled reading: ~600 ms after the message
//   stops changing with the pen up, and only when the sentence differs from the last one said — not
//   at every mid-stroke reading (~20 a second while the pen moves).
// - "Skip to the answer", the page's first Tab stop, visible when focused; and the network view's
//   "Skip the maps" links (explorer/network_view.py), which move focus past the ~70 map buttons.
// - A name for each MNIST example button (gr.Examples gives none): "MNIST test digit 7", read from its
//   picture's file name (explorer/examples.py writes mnist-test-<index>-<digit>.png).
// Its style sheet is static/a11y.css.
() => {
  const SETTLE = 600; // ms without a change of the answer, the pen up, before it is said
  const live = document.createElement('div');
  live.id = 'reading-said';
  live.className = 'a11y-live';
  live.setAttribute('aria-live', 'polite');
  live.setAttribute('role', 'status');
  document.body.append(live);

  const skip = document.createElement('a');
  skip.href = '#message';
  skip.className = 'skip-link';
  skip.textContent = 'Skip to the answer';
  document.body.prepend(skip);

  // What the message says, as one sentence: the answer's, or why a picture was refused; '' otherwise
  // (the invitation to draw, or nothing yet).
  function sentence() {
    const message = document.querySelector('#message');
    if (!message) return '';
    // while the browser's reading is ahead of the server's (static/live.js), the browser's sentence
    const said = message.classList.contains('live-ahead') ? message.querySelector('.live-said > p:not(.live-note)')
      : message.querySelector('.said p, .refused');
    return said ? said.textContent.replace(/\s+/g, ' ').trim() : '';
  }

  let pen = false; // a pen is down on a canvas of the page
  let timer = 0;
  function settle() {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (pen) return; // said when the pen is lifted
      const text = sentence();
      if (text && text !== live.textContent) live.textContent = text;
      if (!text) live.textContent = ''; // cleared: the same answer, drawn again, is said again
    }, SETTLE);
  }
  document.addEventListener('ink-pen', (e) => { // a canvas's pen, a pointer's or the keyboard's (canvas.js)
    pen = Boolean(e.detail);
    if (!pen) settle();
  });

  function focusOn(target) {
    if (!target) return;
    if (!target.matches('a[href], button, input, select, textarea, summary, [tabindex]')) target.tabIndex = -1;
    target.focus();
    target.scrollIntoView?.({block: 'nearest'});
  }
  document.addEventListener('click', (e) => {
    const link = e.target.closest?.('a.skip-link, a.skip-maps');
    if (!link) return;
    e.preventDefault();
    if (link.classList.contains('skip-link')) focusOn(document.querySelector('#message'));
    else focusOn(link.closest('.lenet-net')?.querySelector('.maps-end'));
  });

  // The MNIST examples' names, and the message watched, whenever Gradio (re)draws them.
  const PICTURE = /mnist-test-0*(\d+)-(\d)\.png/;
  let watched = null;
  const messageWatcher = new MutationObserver(settle);
  function tend() {
    for (const button of document.querySelectorAll('#examples button.gallery-item:not([aria-label])')) {
      const found = PICTURE.exec(button.querySelector('img')?.getAttribute('src') || '');
      if (found) button.setAttribute('aria-label', `MNIST test digit ${found[2]} (test image ${found[1]})`);
    }
    const message = document.querySelector('#message');
    if (message && message !== watched) {
      messageWatcher.disconnect();
      messageWatcher.observe(message, {subtree: true, childList: true, characterData: true});
      watched = message;
    }
  }
  new MutationObserver(tend).observe(document.body, {childList: true, subtree: true});
  tend();
}
