// Gradio's editor opens with no tool selected, and "Clear canvas" deselects it again; a classroom
// should be able to draw at once. Whenever no tool is selected, select the brush (runs on page load).
() => {
  const pick = () => {
    const pad = document.querySelector('#sketchpad');
    const brush = pad && pad.querySelector('button[aria-label="Brush"]');
    if (brush && !pad.querySelector('button.highlight')) brush.click();
    return Boolean(brush);
  };
  const retry = (n) => { if (!pick() && n > 0) setTimeout(() => retry(n - 1), 100); };
  retry(100);
  document.addEventListener('click', () => setTimeout(() => retry(10), 150), true);
}
