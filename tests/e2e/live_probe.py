"""What the browser shows of a live-training view, sampled inside the page: shared by the browser tests and
bench/live.py."""

from pathlib import Path

SAMPLER = """() => { window.__samples = []; window.__timer = setInterval(() => {
  const metric = [...document.querySelectorAll('[data-testid="stMetric"]')]
    .find(m => m.innerText.startsWith('Epoch'));
  const epoch = metric ? metric.querySelector('[data-testid="stMetricValue"]').innerText : null;
  const pictures = [...document.querySelectorAll('[data-testid="stImage"] img')].map(i => i.src.length + ':' +
    i.src.slice(-40)).join('|');
  window.__samples.push([performance.now(), epoch, pictures]); }, 10); }"""
SHOT = """() => {
  const pictures = [...document.querySelectorAll('[data-testid="stImage"] img')];
  const boxes = [...document.querySelectorAll('[data-testid="stImage"] img, .js-plotly-plot')];
  return {
    pictures: pictures.length,
    broken: pictures.filter(i => i.complete && i.naturalWidth === 0).length,
    charts: document.querySelectorAll('.js-plotly-plot').length,
    tops: [...document.querySelectorAll('[data-testid="stPlotlyChart"], [data-testid="stImage"]')]
      .map(e => Math.round(e.getBoundingClientRect().top)),
    boxes: boxes.map(e => {
      const r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; }),
  };
}"""
# In page time: each change of the epoch counter (sampled every 10 ms) and the moment of the next click.
COUNTER = """() => { window.__changes = []; let last = null; window.__clicked = null;
  document.addEventListener('mousedown', () => { window.__clicked = performance.now(); },
    {capture: true, once: true});
  window.__counter = setInterval(() => {
    const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
      .find(m => m.innerText.startsWith('Epoch'));
    const value = m ? m.querySelector('[data-testid="stMetricValue"]').innerText : null;
    if (value !== last) { window.__changes.push([performance.now(), value]); last = value; } }, 10); }"""


def blank_boxes(png: Path, boxes: list[list[float]]) -> int:
    """How many picture or chart boxes look empty in the screenshot (nearly one colour)."""
    from PIL import Image, ImageStat

    shot = Image.open(png).convert("L")
    blank = 0
    for left, top, width, height in boxes:
        box = (
            int(left),
            int(max(top, 0)),
            int(min(left + width, shot.width)),
            int(min(top + height, shot.height)),
        )
        if width >= 20 and box[3] - box[1] >= 20 and ImageStat.Stat(shot.crop(box)).stddev[0] < 3:
            blank += 1
    return blank
