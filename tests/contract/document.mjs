/*
 * document.mjs - the OpenAPI document is valid, and the repository's copy
 * is the one rapportd makes.
 *
 *   node document.mjs --rapportd PATH --committed docs/openapi.json
 *
 * The document made by `rapportd --openapi` must equal docs/openapi.json
 * (run scripts/gen-api-docs after changing a route or a field rule), must
 * pass a real OpenAPI 3.1 validator (@seriousme/openapi-schema-validator),
 * and every schema in it must compile with ajv in strict mode (so a typo
 * in a keyword is an error, not an unchecked field).  Each operation must
 * declare every parameter of its path and describe its reply, and every
 * POST, PUT or PATCH its request body: the core's field table, or the raw
 * type of a mail or CSV route; "an object" alone fails, naming the route.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { compile, loadDocument } from "./lib.mjs";

const { values: args } = parseArgs({
  options: { rapportd: { type: "string" }, committed: { type: "string" } },
});
const failures = [];
const { text, doc } = loadDocument({ rapportd: args.rapportd });

const committed = readFileSync(args.committed, "utf8");
if (committed !== text) {
  const a = committed.split("\n"), b = text.split("\n");
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  failures.push(
    `${args.committed} differs from \`rapportd --openapi\` at line ${i + 1}:\n` +
      `  committed: ${a[i] ?? "(end)"}\n  rapportd:  ${b[i] ?? "(end)"}\n` +
      "  run scripts/gen-api-docs"
  );
}

const validator = new Validator();
const res = await validator.validate(doc);
if (!res.valid)
  failures.push(
    "not a valid OpenAPI document:\n" + JSON.stringify(res.errors, null, 2)
  );
if (validator.version !== "3.1")
  failures.push(`OpenAPI version ${validator.version}, not 3.1`);

try {
  compile(doc);
} catch (e) {
  failures.push(`a schema does not compile: ${e.message}`);
}

let operations = 0;
const requests = [];
for (const [pattern, item] of Object.entries(doc.paths)) {
  const names = [...pattern.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  for (const [method, op] of Object.entries(item)) {
    operations++;
    const declared = (op.parameters ?? [])
      .filter((p) => p.in === "path")
      .map((p) => p.name);
    for (const n of names)
      if (!declared.includes(n))
        failures.push(`${method.toUpperCase()} ${pattern}: path parameter {${n}} not declared`);
    if (["post", "put", "patch"].includes(method)) {
      const json = op.requestBody?.content?.["application/json"];
      if (!op.requestBody || (json && !json.schema?.properties))
        failures.push(
          `${method.toUpperCase()} ${pattern}: its request body is not ` +
            "described: check the body in the core with rp_in_fields against " +
            "an rp_field table (src/base/input.h), give the route's entry in " +
            "src/server/routes.c that table as its .request (rp_no_fields " +
            "when it takes no fields), then run scripts/gen-api-docs"
        );
      else if (json) requests.push([`${method.toUpperCase()} ${pattern}`, json.schema]);
    }
    if (!Object.keys(op.responses).some((s) => /^2\d\d$/.test(s)))
      failures.push(`${method.toUpperCase()} ${pattern}: no success response`);
    if (JSON.stringify(op.responses).includes("#/components/schemas/Undescribed"))
      failures.push(
        `${method.toUpperCase()} ${pattern}: its reply is not described: give ` +
          "its entry in src/server/routes.c a .reply naming a schema of " +
          "src/server/openapi.c (add one there if none fits), then run " +
          "scripts/gen-api-docs"
      );
  }
}
if (operations < 10) failures.push(`only ${operations} operations`);

/* every request body's schema compiles in strict mode too */
const strict = new Ajv2020({ strict: true, allErrors: true });
addFormats(strict);
strict.addVocabulary(["x-rapport-format"]);
for (const [name, schema] of requests) {
  try {
    strict.compile(schema);
  } catch (e) {
    failures.push(`${name}: its request schema does not compile: ${e.message}`);
  }
}
if (requests.length < 40)
  failures.push(`only ${requests.length} request bodies are described`);

if (failures.length) {
  for (const f of failures) console.error("contract: " + f);
  process.exit(1);
}
console.log(
  `contract: the OpenAPI ${doc.openapi} document is valid: ${operations} operations, ` +
    `${Object.keys(doc.components.schemas).length} schemas, ${requests.length} request ` +
    "bodies from the core's field tables, and docs/openapi.json is up to date"
);
