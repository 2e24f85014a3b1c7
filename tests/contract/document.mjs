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
 * declare every parameter of its path and describe its reply.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Validator } from "@seriousme/openapi-schema-validator";
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

if (failures.length) {
  for (const f of failures) console.error("contract: " + f);
  process.exit(1);
}
console.log(
  `contract: the OpenAPI ${doc.openapi} document is valid: ${operations} operations, ` +
    `${Object.keys(doc.components.schemas).length} schemas, and docs/openapi.json is up to date`
);
