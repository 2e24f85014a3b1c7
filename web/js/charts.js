/*
 * charts.js - small SVG charts built with DOM calls (no library, no markup
 * strings).  Each chart is an <svg role="img"> with a title and a text
 * description.
 *
 * A chart is drawn at the width it is shown at, one unit of its viewBox
 * to one CSS pixel, and drawn again when that width changes (a
 * ResizeObserver on its box): a chart scaled down from a wide viewBox
 * shrank its labels with it, to 8 pixels at 390, and put the labels of a
 * time axis on top of each other.  Drawn at its own width, text keeps its
 * size, long labels are shortened (the whole label stays in the
 * description), and a time axis labels only as many points as have room.
 *
 * Values and axis numbers are written in the agent's language ("1,234.5",
 * German "1.234,5"); opts.percent says the values are shares (0..1) and
 * writes them as percentages ("12%", German "12 %").
 */
import { svg, h, clear } from './dom.js';
import { t } from './i18n.js';
import { fmtNumber, fmtPercent } from './format.js';

const DEFAULT_W = 600, MAX_W = 720;
const CHAR_PX = 8.5; /* a character at 13 to 14 px, wide letters and capitals counted */

function frame(title, width, height, desc) {
  return svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': `${title}. ${desc}`, class: 'chart' },
    svg('title', {}, title), svg('desc', {}, desc));
}

/* A box that draws draw(width) now and again whenever its width changes. */
function responsive(draw) {
  const box = h('div', { class: 'chart-box' });
  let drawn = 0;
  const paint = (w) => {
    const width = Math.max(240, Math.min(MAX_W, Math.floor(w)));
    if (width === drawn) return;
    drawn = width;
    clear(box);
    box.append(draw(width));
  };
  paint(DEFAULT_W);
  if (typeof ResizeObserver === 'function') {
    new ResizeObserver((entries) => {
      const w = entries[0] && entries[0].contentRect.width;
      if (w) paint(w);
    }).observe(box);
  }
  return box;
}

/* A chart value as the agent reads it. */
export function chartValue(v, opts = {}) {
  return opts.percent ? fmtPercent(v) : `${fmtNumber(v)}${opts.unit || ''}`;
}

/* text cut to at most n characters, with an ellipsis when cut. */
export function shorten(text, n) {
  const chars = [...String(text)];
  return chars.length <= n ? String(text) : `${chars.slice(0, Math.max(1, n - 1)).join('')}…`;
}

/* Of n labels of about chars characters each over px pixels, label every k-th. */
export function labelEvery(n, chars, px) {
  const need = chars * CHAR_PX + 10;
  return Math.max(1, Math.ceil((n * need) / Math.max(px, 1)));
}

/* Horizontal bars: one row per {label, value}. */
export function barChart(title, rows, opts = {}) {
  if (!rows.length) return h('p', { class: 'muted' }, opts.empty || t('No data yet.'));
  const desc = rows.map((r) => `${r.label}: ${chartValue(r.value, opts)}`).join('; ');
  return responsive((W) => {
    const rowH = 30, pad = 8;
    const longest = Math.max(...rows.map((r) => [...String(r.label)].length));
    const valueW = Math.max(...rows.map((r) => chartValue(r.value, opts).length)) * CHAR_PX + 14;
    /* The labels get what they need, up to 45% of the width. */
    const labelW = Math.min(Math.round(W * 0.45), Math.max(60, longest * CHAR_PX + 14));
    const fits = Math.floor((labelW - 12) / CHAR_PX);
    const height = rows.length * rowH + pad * 2;
    const max = Math.max(...rows.map((r) => r.value), opts.max || 0) || 1;
    const el = frame(title, W, height, desc);
    rows.forEach((r, i) => {
      const y = pad + i * rowH;
      const w = Math.max(2, ((W - labelW - valueW) * r.value) / max);
      const label = shorten(r.label, fits);
      el.append(
        svg('text', { x: labelW - 8, y: y + rowH / 2 + 5, 'text-anchor': 'end', class: 'chart-label' }, label,
          label !== String(r.label) ? svg('title', {}, String(r.label)) : null),
        svg('rect', { x: labelW, y: y + 4, width: w, height: rowH - 10, rx: 3, class: ['bar', r.cls] }),
        svg('text', { x: labelW + w + 6, y: y + rowH / 2 + 5, class: 'chart-value' }, chartValue(r.value, opts)));
    });
    return el;
  });
}

/* The labels of a time axis: every k-th point, so that none touches the next. */
function axisLabels(el, points, xOf, y, plotW) {
  const chars = Math.max(...points.map((p) => [...String(p.label)].length));
  const k = labelEvery(points.length, chars, plotW);
  points.forEach((p, i) => {
    if (i % k === 0)
      el.append(svg('text', { x: xOf(i), y, 'text-anchor': 'middle', class: 'chart-label small' }, p.label));
  });
}

/* Vertical bars over time: {label, value} in order, with an optional target line. */
export function columnChart(title, points, opts = {}) {
  if (!points.length) return h('p', { class: 'muted' }, opts.empty || t('No data yet.'));
  const desc = points.map((p) => `${p.label}: ${chartValue(p.value, opts)}`).join('; ');
  return responsive((W) => {
    const height = 220, bottom = 40, top = 14, right = 10;
    const max = Math.max(...points.map((p) => p.value), opts.target || 0, 1);
    const left = chartValue(max, opts).length * CHAR_PX + 14;
    /* the first and last labels are centred on their columns: half a label of room each side */
    const chars = Math.max(...points.map((p) => [...String(p.label)].length));
    const inset = Math.min((chars * CHAR_PX) / 2, (W - left - right) / 4);
    const step = Math.min(70, (W - left - right - inset * 2) / points.length);
    const x0 = left + inset;
    const y = (v) => top + (height - top - bottom) * (1 - v / max);
    const el = frame(title, W, height, desc);
    el.append(svg('line', { x1: left, y1: y(0), x2: W - right, y2: y(0), class: 'axis' }),
      svg('text', { x: left - 6, y: y(max) + 4, 'text-anchor': 'end', class: 'chart-value' }, chartValue(max, opts)),
      svg('text', { x: left - 6, y: y(0) + 4, 'text-anchor': 'end', class: 'chart-value' }, chartValue(0, opts)));
    points.forEach((p, i) => {
      const x = x0 + i * step;
      el.append(svg('rect', { x: x + step * 0.15, y: y(p.value), width: step * 0.7, height: Math.max(0, y(0) - y(p.value)), class: ['bar', p.cls || opts.cls] },
        svg('title', {}, `${p.label}: ${chartValue(p.value, opts)}`)));
    });
    axisLabels(el, points, (i) => x0 + i * step + step / 2, height - bottom + 18, step * points.length);
    if (opts.target) el.append(svg('line', { x1: left, y1: y(opts.target), x2: W - right, y2: y(opts.target), class: 'target' }));
    return el;
  });
}

/* A line over time: {label, value} in order, values between min and max. */
export function lineChart(title, points, opts = {}) {
  if (!points.length) return h('p', { class: 'muted' }, opts.empty || t('No data yet.'));
  const desc = points.map((p) => `${p.label}: ${chartValue(p.value, opts)}`).join('; ');
  return responsive((W) => {
    const height = 220, bottom = 40, top = 14;
    const min = opts.min ?? 0, max = opts.max ?? Math.max(...points.map((p) => p.value), 1);
    const left = Math.max(40, Math.max(chartValue(max, opts).length, chartValue(min, opts).length) * CHAR_PX + 14);
    const chars = Math.max(...points.map((p) => [...String(p.label)].length));
    const inset = Math.max(10, (chars * CHAR_PX) / 2);
    const plotW = W - left - inset * 2 - 10;
    const step = points.length > 1 ? plotW / (points.length - 1) : 0;
    const x = (i) => left + inset + i * step;
    const y = (v) => top + (height - top - bottom) * (1 - (v - min) / (max - min || 1));
    const el = frame(title, W, height, desc);
    el.append(svg('line', { x1: left, y1: y(min), x2: W - 10, y2: y(min), class: 'axis' }),
      svg('text', { x: left - 6, y: y(max) + 4, 'text-anchor': 'end', class: 'chart-value' }, chartValue(max, opts)),
      svg('text', { x: left - 6, y: y(min) + 4, 'text-anchor': 'end', class: 'chart-value' }, chartValue(min, opts)),
      svg('polyline', { points: points.map((p, i) => `${x(i)},${y(p.value)}`).join(' '), class: 'line' }));
    points.forEach((p, i) => {
      el.append(svg('circle', { cx: x(i), cy: y(p.value), r: 4, class: 'dot' }, svg('title', {}, `${p.label}: ${chartValue(p.value, opts)}`)));
    });
    axisLabels(el, points, x, height - bottom + 18, points.length > 1 ? step * points.length : W);
    return el;
  });
}
