/*
 * responses.mjs - every /api/v1 response the end-to-end tests received
 * keeps the contract.
 *
 *   node responses.mjs --rapportd PATH --log-dir DIR
 *
 * The end-to-end harness (tests/e2e/harness.c) logs each response to
 * DIR/<test>.jsonl when RP_CONTRACT_LOG is set (CTest sets it).  Each one
 * is matched to its operation of the document `rapportd --openapi` makes
 * (method and path template) and must answer a status the operation
 * declares with a body its schema accepts: a success its success schema,
 * a refusal the Error shape with the status of its code.  A path outside
 * the document, or a method it does not take, may only be refused.  A
 * failure names the route, the status, where in the body and which
 * keyword of which schema of the document failed.  Logs older than the
 * rapportd checked are left out (another build wrote them).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { compile, loadDocument, matcher, schemaPathInDocument } from "./lib.mjs";

const { values: args } = parseArgs({
  options: { rapportd: { type: "string" }, "log-dir": { type: "string" } },
});
const { doc } = loadDocument({ rapportd: args.rapportd });
const { validators, where: located } = compile(doc);
const match = matcher(doc);
const statusOf = doc.components.schemas.Error["x-rapport-status"];

const failures = [];
let checked = 0;
const seen = new Set();
/* A log older than the rapportd checked was written by another build (a
 * test since renamed or not run this time): it says nothing of this one. */
const built = statSync(args.rapportd).mtimeMs;
const logs = readdirSync(args["log-dir"]).filter((f) => f.endsWith(".jsonl"));
const files = logs.filter((f) => statSync(join(args["log-dir"], f)).mtimeMs >= built);
if (files.length < logs.length)
  console.log(
    `contract: ${logs.length - files.length} logs older than ${args.rapportd} left out`
  );

function check(rec, where) {
  const path = rec.path.split("?")[0];
  const pattern = match(path);
  const op = pattern && doc.paths[pattern][rec.method.toLowerCase()];
  const route = `${rec.method} ${pattern ?? path}`;
  const fail = (why) => failures.push(`${route} → ${rec.status}: ${why} [${where}]`);
  if (rec.body_not_utf8) return fail("the body is not UTF-8");
  if (rec.method === "HEAD" || rec.status === 204 || rec.status === 304) return;
  const isJson = /^application\/json\b/.test(rec.content_type);
  let body;
  if (isJson) {
    try {
      body = JSON.parse(rec.body);
    } catch (e) {
      return fail(`the body is not JSON: ${e.message}`);
    }
  }
  const success = rec.status >= 200 && rec.status < 300;
  let status = String(rec.status);
  if (!op) {
    if (success) return fail("a success on a path or method outside the contract");
    status = "default";
  } else if (!op.responses[status]) {
    if (success)
      return fail(
        `status not in the contract (it says ${Object.keys(op.responses).join(", ")})`
      );
    status = "default";
  }
  if (op) seen.add(`${rec.method} ${pattern}`);
  const type = isJson ? "application/json" : rec.content_type.split(";")[0].trim();
  const key = `op ${rec.method} ${pattern} ${status} ${type}`;
  const validate = op
    ? validators.get(key) ??
      (isJson ? undefined : validators.get(`op ${rec.method} ${pattern} ${status} */*`))
    : validators.get(`op GET /api/v1/openapi.json default application/json`);
  if (!validate)
    return fail(`content type ${rec.content_type || "(none)"} not in the contract`);
  if (!isJson) return; /* a download: its media type is the contract */
  checked++;
  if (!validate(body)) {
    /* the deepest failure says most; name its schema by where it lies */
    const e = validate.errors.reduce((a, b) =>
      b.instancePath.length > a.instancePath.length ? b : a
    );
    const at = located.get(e.parentSchema);
    const schemaPath = at ? `${at}/${e.keyword}` : e.schemaPath;
    return fail(
      `the body at ${e.instancePath || "/"} ${e.message}` +
        (e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : "") +
        ` (schema ${schemaPathInDocument(schemaPath)}); body: ` +
        rec.body.slice(0, 300)
    );
  }
  if (status === "default") {
    const want = statusOf?.[body.error.code];
    if (want !== undefined && want !== rec.status)
      fail(`error code ${body.error.code} is answered with ${want}, not ${rec.status}`);
  }
}

for (const f of files) {
  const lines = readFileSync(join(args["log-dir"], f), "utf8").split("\n");
  lines.forEach((line, i) => {
    if (line) check(JSON.parse(line), `${f}:${i + 1}`);
  });
}

if (checked === 0)
  failures.push(`no responses in ${args["log-dir"]}: run the end-to-end tests first`);
if (failures.length) {
  /* one line each, at most a few per route, and how many in all */
  const perRoute = new Map();
  for (const f of failures) {
    const r = f.slice(0, f.indexOf(":"));
    perRoute.set(r, (perRoute.get(r) ?? 0) + 1);
    if (perRoute.get(r) <= (process.env.RP_CONTRACT_ALL ? 1e9 : 3)) console.error("contract: " + f);
  }
  console.error(`contract: ${failures.length} responses outside the contract`);
  process.exit(1);
}
const total = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
console.log(
  `contract: ${checked} responses of ${files.length} test programs keep the contract ` +
    `(${seen.size} of ${total} operations seen)`
);
