/*
 * charts.js - small SVG charts built with DOM calls (no library, no markup
 * strings).  Each chart is an <svg role="img"> with a title and a text
 * description, and scales to its container through its viewBox, so it
 * reads the same at 1280 and at 390 pixels.
 */
import { svg, h } from './dom.js';

const W = 600;

function frame(title, height, desc) {
  return svg('svg', { viewBox: `0 0 ${W} ${height}`, role: 'img', 'aria-label': `${title}. ${desc}`, class: 'chart', preserveAspectRatio: 'xMidYMid meet' },
    svg('title', {}, title), svg('desc', {}, desc));
}

/* Horizontal bars: one row per {label, value}. */
export function barChart(title, rows, opts = {}) {
  if (!rows.length) return h('p', { class: 'muted' }, opts.empty || 'No data yet.');
  const rowH = 30, pad = 8;
  /* Room for the longest label (about 8 px a character at 14 px). */
  const labelW = Math.min(300, Math.max(110, 8 * Math.max(...rows.map((r) => String(r.label).length)) + 12));
  const height = rows.length * rowH + pad * 2;
  const max = Math.max(...rows.map((r) => r.value), opts.max || 0) || 1;
  const desc = rows.map((r) => `${r.label}: ${r.value}${opts.unit || ''}`).join('; ');
  const el = frame(title, height, desc);
  rows.forEach((r, i) => {
    const y = pad + i * rowH;
    const w = Math.max(2, ((W - labelW - 70) * r.value) / max);
    el.append(
      svg('text', { x: labelW - 8, y: y + rowH / 2 + 5, 'text-anchor': 'end', class: 'chart-label' }, r.label),
      svg('rect', { x: labelW, y: y + 4, width: w, height: rowH - 10, rx: 3, class: ['bar', r.cls] }),
      svg('text', { x: labelW + w + 6, y: y + rowH / 2 + 5, class: 'chart-value' }, `${r.value}${opts.unit || ''}`));
  });
  return el;
}

/* Vertical bars over time: {label, value} in order, with an optional target line. */
export function columnChart(title, points, opts = {}) {
  if (!points.length) return h('p', { class: 'muted' }, opts.empty || 'No data yet.');
  const height = 220, left = 40, bottom = 40, top = 14;
  const max = Math.max(...points.map((p) => p.value), opts.target || 0, 1);
  const step = Math.min(70, (W - left - 10) / points.length);
  const y = (v) => top + (height - top - bottom) * (1 - v / max);
  const el = frame(title, height, points.map((p) => `${p.label}: ${p.value}`).join('; '));
  el.append(svg('line', { x1: left, y1: y(0), x2: W - 10, y2: y(0), class: 'axis' }),
    svg('text', { x: left - 6, y: y(max) + 4, 'text-anchor': 'end', class: 'chart-value' }, String(max)),
    svg('text', { x: left - 6, y: y(0) + 4, 'text-anchor': 'end', class: 'chart-value' }, '0'));
  points.forEach((p, i) => {
    const x = left + i * step;
    el.append(svg('rect', { x: x + step * 0.15, y: y(p.value), width: step * 0.7, height: Math.max(0, y(0) - y(p.value)), class: ['bar', p.cls || opts.cls] },
      svg('title', {}, `${p.label}: ${p.value}`)));
    if (points.length <= 14 || i % Math.ceil(points.length / 10) === 0)
      el.append(svg('text', { x: x + step / 2, y: height - bottom + 16, 'text-anchor': 'middle', class: 'chart-label small' }, p.label));
  });
  if (opts.target) el.append(svg('line', { x1: left, y1: y(opts.target), x2: W - 10, y2: y(opts.target), class: 'target' }));
  return el;
}

/* A line over time: {label, value} in order, values between min and max. */
export function lineChart(title, points, opts = {}) {
  if (!points.length) return h('p', { class: 'muted' }, opts.empty || 'No data yet.');
  const height = 220, left = 40, bottom = 40, top = 14;
  const min = opts.min ?? 0, max = opts.max ?? Math.max(...points.map((p) => p.value), 1);
  const step = points.length > 1 ? (W - left - 20) / (points.length - 1) : 0;
  const x = (i) => left + 10 + i * step;
  const y = (v) => top + (height - top - bottom) * (1 - (v - min) / (max - min || 1));
  const el = frame(title, height, points.map((p) => `${p.label}: ${p.value}`).join('; '));
  el.append(svg('line', { x1: left, y1: y(min), x2: W - 10, y2: y(min), class: 'axis' }),
    svg('text', { x: left - 6, y: y(max) + 4, 'text-anchor': 'end', class: 'chart-value' }, String(max)),
    svg('text', { x: left - 6, y: y(min) + 4, 'text-anchor': 'end', class: 'chart-value' }, String(min)),
    svg('polyline', { points: points.map((p, i) => `${x(i)},${y(p.value)}`).join(' '), class: 'line' }));
  points.forEach((p, i) => {
    el.append(svg('circle', { cx: x(i), cy: y(p.value), r: 4, class: 'dot' }, svg('title', {}, `${p.label}: ${p.value}`)));
    if (points.length <= 10 || i % Math.ceil(points.length / 8) === 0)
      el.append(svg('text', { x: x(i), y: height - bottom + 16, 'text-anchor': 'middle', class: 'chart-label small' }, p.label));
  });
  return el;
}
