// Run once the page has loaded (Blocks.launch(js=...), explorer/assets.py). Gradio's empty gr.Label
// is a <div aria-label="Empty value"> with no role, which ARIA prohibits (axe-core,
// aria-prohibited-attr): the empty box is only a picture of nothing, so it loses the name.
() => {
  const unname = () =>
    document.querySelectorAll('div.empty[aria-label]:not([role])').forEach((el) => el.removeAttribute('aria-label'));
  unname();
  new MutationObserver(unname).observe(document.body, {childList: true, subtree: true});
}
