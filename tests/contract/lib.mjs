/*
 * lib.mjs - what the contract tests share: reading the OpenAPI document,
 * compiling every schema it holds with ajv (JSON Schema 2020-12, the
 * dialect of OpenAPI 3.1, in strict mode), and finding the operation a
 * request was answered by.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

/* The document as rapportd makes it (--rapportd PATH) or as a file. */
export function loadDocument({ rapportd, file }) {
  const text = rapportd
    ? execFileSync(rapportd, ["--openapi"], { encoding: "utf8" })
    : readFileSync(file, "utf8");
  return { text, doc: JSON.parse(text) };
}

/* A JSON pointer segment. */
const esc = (s) => s.replaceAll("~", "~0").replaceAll("/", "~1");

/*
 * Compile every response schema of every operation.  The document's
 * component schemas become $defs of one root schema, so "#/components/
 * schemas/X" is rewritten to "#/$defs/X"; a failure names its schema path
 * in the document's own terms again (see schemaPathInDocument).
 */
export function compile(doc) {
  const ajv = new Ajv2020({
    strict: true,
    allErrors: true,
    inlineRefs: false,
    verbose: true,
  });
  addFormats(ajv);
  ajv.addVocabulary(["x-rapport-format", "x-rapport-status"]);
  const rewrite = (v) =>
    JSON.parse(
      JSON.stringify(v).replaceAll('"#/components/schemas/', '"#/$defs/')
    );
  const defs = rewrite(doc.components.schemas);
  const ops = [];
  for (const [pattern, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      for (const [status, resp] of Object.entries(op.responses)) {
        for (const [type, media] of Object.entries(resp.content ?? {})) {
          if (!media.schema) continue;
          const key = `op ${method.toUpperCase()} ${pattern} ${status} ${type}`;
          defs[key] = rewrite(media.schema);
        }
      }
      ops.push({ pattern, method: method.toUpperCase(), op });
    }
  }
  /* where each schema object lies, to name the one a failure is in */
  const where = new Map();
  const walk = (v, path) => {
    if (v === null || typeof v !== "object") return;
    where.set(v, path);
    for (const [k, x] of Object.entries(v)) walk(x, `${path}/${esc(k)}`);
  };
  walk(defs, "#/$defs");
  ajv.addSchema({ $id: "rapport", $defs: defs });
  const validators = new Map();
  for (const key of Object.keys(defs)) {
    if (!key.startsWith("op ")) continue;
    validators.set(key, ajv.compile({ $ref: `rapport#/$defs/${esc(key)}` }));
  }
  return { ajv, ops, validators, defs, where };
}

/* Where a failed keyword lies in the document's own terms: "#/components/
 * schemas/Customer/properties/emails/type", or the operation's response
 * schema "#/paths/~1api~1v1~1customers/get/responses/200/content/...". */
export function schemaPathInDocument(p) {
  const m = /#\/\$defs\/(.*)$/.exec(p);
  if (!m) return p;
  const [first, ...rest] = m[1].split("/");
  const name = first.replaceAll("~1", "/").replaceAll("~0", "~");
  const tail = rest.length ? "/" + rest.join("/") : "";
  const op = /^op (\S+) (\S+) (\S+) (\S+)$/.exec(name);
  if (!op) return `#/components/schemas/${first}${tail}`;
  const [, method, pattern, status, type] = op;
  return (
    `#/paths/${esc(pattern)}/${method.toLowerCase()}/responses/${status}` +
    `/content/${esc(type)}/schema${tail}`
  );
}

/* The path templates as regular expressions, the most literal first (a
 * fixed segment wins over a parameter, as in the route table). */
export function matcher(doc) {
  const templates = Object.keys(doc.paths).map((pattern) => {
    const parts = pattern.split("/");
    const re = new RegExp(
      "^" +
        parts
          .map((p) =>
            p.startsWith("{") ? "[^/]+" : p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
          )
          .join("/") +
        "$"
    );
    return { pattern, re, params: parts.filter((p) => p.startsWith("{")).length };
  });
  templates.sort((a, b) => a.params - b.params);
  return (path) => templates.find((t) => t.re.test(path))?.pattern ?? null;
}
