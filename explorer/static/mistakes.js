// Runs once in the browser (gr.HTML's js_on_load): filtering is done on the page, so it costs no
// request; only the choice of a digit goes to the server, as trigger('click', {pick, model}).
element.addEventListener('click', (event) => {
  const root = element.querySelector('.lenet-mistakes');
  if (!root) return;
  const thumb = event.target.closest('.thumb');
  const cell = event.target.closest('td[data-cell]');
  const all = event.target.closest('button.all');
  const filter = (key) => {
    root.querySelectorAll('.thumb').forEach(b => { b.hidden = key !== null && b.dataset.cell !== key; });
    root.querySelectorAll('td[data-cell]').forEach(td => {
      td.classList.toggle('on', td.dataset.cell === key);
      td.setAttribute('aria-pressed', String(td.dataset.cell === key));
    });
    const [t, p] = key ? key.split(',') : [];
    root.querySelector('.filter').firstChild.textContent = key
      ? `Showing the ${t}s read as ${p}. ` : 'Showing all mistakes, labelled → read as. ';
    root.querySelector('button.all').hidden = key === null;
  };
  if (thumb) {
    root.querySelectorAll('.thumb.on').forEach(b => b.classList.remove('on'));
    thumb.classList.add('on');
    root.querySelector('.picked').textContent = thumb.title;
    trigger('click', {pick: Number(thumb.dataset.pick), model: root.dataset.model});
  } else if (cell) {
    filter(cell.classList.contains('on') ? null : cell.dataset.cell);
  } else if (all) {
    filter(null);
  }
});
// The matrix's cells are buttons to a keyboard (tabindex="0", role="button": explorer/mistakes.py):
// Enter or Space filters as a click does.
element.addEventListener('keydown', (event) => {
  const cell = event.target.closest('td[data-cell]');
  if (!cell || (event.key !== 'Enter' && event.key !== ' ')) return;
  event.preventDefault();
  cell.click();
});
