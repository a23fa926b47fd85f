// The class board (explorer/board.py), once in the browser (gr.HTML's js_on_load): a click on a cell
// of the matrix asks for its drawings, a click on ✕ hides a drawing (the teacher's board only);
// both go to the server as trigger('click', {cell} | {hide}), which redraws the board.
element.addEventListener('click', (event) => {
  const cell = event.target.closest('[data-cell]');
  const hide = event.target.closest('[data-hide]');
  if (cell) trigger('click', {cell: cell.dataset.cell});
  else if (hide) trigger('click', {hide: Number(hide.dataset.hide)});
});
// ?board=CODE (the projector's computer): the page is the board, the network switch above it.
if (new URLSearchParams(location.search).has('board')) document.documentElement.classList.add('class-board-only');
