/*
 * api.js - the one way the console talks to rapportd.
 *
 * JSON in and out, the session cookie sent same-origin only, and the CSRF
 * token from the session response added to every state-changing request
 * (the cookie is SameSite=Strict and HttpOnly: scripts never see it).
 * Failures become ApiError objects carrying the API's code, field and
 * reason, so a view can show a refusal next to the field it names; their
 * message is already in the agent's language and says what to do next
 * (errors.js), and the server's own text is kept as serverMessage.
 */
import { errorMessage } from './errors.js';

let csrfToken = null;

export class ApiError extends Error {
  /* e: the answer's "error" object ({code, message, field, reason, limit}). */
  constructor(status, code, serverMessage, field, e = {}) {
    super(errorMessage(status, { ...e, code, message: serverMessage, field }));
    this.status = status;
    this.code = code;
    this.field = field || null;
    this.reason = e.reason || null;
    this.serverMessage = serverMessage || '';
  }

  /* The server does not have this endpoint (a feature not built in). */
  get missingEndpoint() {
    return (this.status === 404 && /^no such endpoint/.test(this.serverMessage)) || this.status === 405;
  }
}

export function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

export async function request(method, path, body, contentType) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined && contentType) {
    headers['Content-Type'] = contentType;
    init.body = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'network', e.message, null);
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const e = (data && data.error) || {};
    const err = new ApiError(res.status, e.code || `http_${res.status}`, e.message || '', e.field, e);
    if (res.status === 401 && path !== '/api/v1/session') window.dispatchEvent(new CustomEvent('rapport:unauthorized'));
    throw err;
  }
  return data;
}

export const get = (path) => request('GET', path);
export const post = (path, body = {}) => request('POST', path, body);
export const patch = (path, body) => request('PATCH', path, body);
export const put = (path, body) => request('PUT', path, body);
export const del = (path) => request('DELETE', path);
/* POST a file's bytes as they are (a CSV to import), not as JSON. */
export const postFile = (path, bytes, contentType) => request('POST', path, bytes, contentType);

/* GET that answers null when the server has no such endpoint. */
export async function optional(path) {
  try {
    return await get(path);
  } catch (e) {
    if (e instanceof ApiError && e.missingEndpoint) return null;
    throw e;
  }
}

/* Items of a list response ({items:[...]}, or a bare array). */
export function items(x, key) {
  if (!x) return [];
  if (Array.isArray(x)) return x;
  if (key && Array.isArray(x[key])) return x[key];
  return Array.isArray(x.items) ? x.items : [];
}

/*
 * The session: {mode:'auth', agent} when logged in, null when a login is
 * needed, {mode:'open'} when this rapportd has no login at all.
 */
export async function loadSession() {
  try {
    const s = await request('GET', '/api/v1/session');
    csrfToken = s.csrf_token || null;
    return { mode: 'auth', agent: s.agent || null };
  } catch (e) {
    if (e.status === 401) return null;
    if (e.missingEndpoint) return { mode: 'open', agent: null };
    throw e;
  }
}

export async function login(email, password) {
  const s = await request('POST', '/api/v1/session', { email, password });
  csrfToken = s.csrf_token || null;
  return { mode: 'auth', agent: s.agent || null };
}

/* Change the signed-in agent's own settings ({language, time_zone}); the agent as it is now. */
export async function saveSettings(settings) {
  return request('PATCH', '/api/v1/session', settings);
}

export async function logout() {
  try { await request('DELETE', '/api/v1/session'); } finally { csrfToken = null; }
}
