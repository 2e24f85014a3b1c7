/*
 * dom.js - building the page from data without ever parsing data as HTML.
 *
 * Every view builds its elements with h() (and svg() for charts); strings
 * become text nodes, so whatever a customer or agent typed is shown as text
 * and can never become markup or script.  Nothing in the console uses
 * innerHTML.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value' && 'value' in el) el.value = v;
    else if (k === 'checked' || k === 'disabled' || k === 'hidden' || k === 'required' || k === 'selected') el[k] = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

/* Append children: strings and numbers as text, arrays flattened, nulls skipped. */
export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/* h('p', {class: 'x'}, 'text', child, ...) */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/* The same for SVG elements (charts). */
export function svg(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/* A labelled field: the label's for= names the control's id. */
let fieldSeq = 0;
export function field(labelText, control, opts = {}) {
  if (!control.id) control.id = `f${++fieldSeq}`;
  const hint = opts.hint ? h('p', { class: 'hint', id: `${control.id}-hint` }, opts.hint) : null;
  if (hint) control.setAttribute('aria-describedby', hint.id);
  const wrap = h('div', { class: ['field', opts.class], dataset: opts.field ? { field: opts.field } : undefined },
    h('label', { for: control.id }, labelText), control, hint);
  return wrap;
}

/* Tell screen-reader users what just happened. */
export function announce(text) {
  const el = document.getElementById('announce');
  if (el) el.textContent = text;
}
