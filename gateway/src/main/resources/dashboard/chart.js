// A small line chart on <canvas>, no dependencies: series of [time, value] points sharing one time axis.
(function (global) {
  'use strict';
  const COLORS = ['#2f6fd6', '#d6532f', '#1f8a4c', '#8a4fd6', '#c79a00', '#0f8f8f'];

  function niceMax(value) {
    if (value <= 4) return 4; // whole ticks for small counts
    const power = Math.pow(10, Math.floor(Math.log10(value)));
    for (const step of [1, 2, 5, 10]) {
      if (value <= step * power) return step * power;
    }
    return 10 * power;
  }

  // series: [{label, points: [[ms, value], ...]}], windowMs: width of the time axis ending now
  function draw(canvas, series, windowMs) {
    const ratio = global.devicePixelRatio || 1;
    const width = canvas.clientWidth || canvas.width;
    const height = canvas.clientHeight || canvas.height;
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    const g = canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    const left = 40, right = 10, top = 10, bottom = 22;
    const plotW = width - left - right, plotH = height - top - bottom;
    const now = Date.now(), start = now - windowMs;
    let max = 0;
    series.forEach(s => s.points.forEach(p => { if (p[1] > max) max = p[1]; }));
    max = niceMax(max);

    g.strokeStyle = '#e6e9ee'; g.fillStyle = '#6b7380'; g.font = '11px system-ui, sans-serif'; g.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const y = top + plotH - (plotH * i) / 4;
      g.beginPath(); g.moveTo(left, y); g.lineTo(left + plotW, y); g.stroke();
      const label = (max * i) / 4;
      g.fillText(Number.isInteger(label) ? String(label) : label.toFixed(1), 4, y + 4);
    }
    g.fillText('-' + Math.round(windowMs / 1000) + 's', left, height - 6);
    g.fillText('now', left + plotW - 20, height - 6);

    series.forEach((s, index) => {
      const color = s.color || COLORS[index % COLORS.length];
      g.strokeStyle = color; g.lineWidth = 2; g.beginPath();
      let started = false;
      s.points.forEach(p => {
        if (p[0] < start) return;
        const x = left + ((p[0] - start) / windowMs) * plotW;
        const y = top + plotH - (p[1] / max) * plotH;
        if (started) g.lineTo(x, y); else { g.moveTo(x, y); started = true; }
      });
      g.stroke();
      g.fillStyle = color;
      g.fillRect(left + 8 + index * 110, top + 2, 10, 3);
      g.fillText(s.label, left + 22 + index * 110, top + 8);
    });
  }

  global.SwitchboardChart = { draw };
})(window);
