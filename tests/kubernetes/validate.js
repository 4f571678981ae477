"use strict";
// Validates Kubernetes manifests against the API's schemas (kubernetes-models: the OpenAPI schemas of the Kubernetes
// API compiled to validators), as the API server's schema check would before admitting them.
//   node validate.js [--json] FILE...
// Prints one line per document (or, with --json, one JSON array: file, document, apiVersion, kind, name, errors and the
// object itself, for the tests' own checks) and exits 1 when any document is invalid or cannot be read.
const fs = require("fs");
const YAML = require("yaml");

const args = process.argv.slice(2);
const json = args[0] === "--json";
const files = json ? args.slice(1) : args;
if (files.length === 0) {
  console.error("usage: node validate.js [--json] FILE...");
  process.exit(2);
}

function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [null, apiVersion];
  try {
    return require(group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`)[kind];
  } catch {
    return undefined;
  }
}

const results = [];
for (const file of files) {
  YAML.parseAllDocuments(fs.readFileSync(file, "utf8")).forEach((doc, index) => {
    const result = { file, document: index + 1, apiVersion: null, kind: null, name: null, errors: [], object: null };
    results.push(result);
    if (doc.errors.length > 0) {
      result.errors = doc.errors.map((e) => `YAML: ${e.message}`);
      return;
    }

    const object = doc.toJS();
    result.object = object;
    if (!object || typeof object !== "object" || typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
      result.errors.push("not a Kubernetes object (apiVersion and kind are required)");
      return;
    }

    Object.assign(result, { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata && object.metadata.name });
    const Model = modelFor(object.apiVersion, object.kind);
    if (!Model) {
      result.errors.push(`unknown kind ${object.kind} in ${object.apiVersion}`);
      return;
    }

    try {
      new Model(object).validate();
    } catch (error) {
      result.errors.push(...String(error.message).split(", "));
    }
  });
}

if (json) {
  console.log(JSON.stringify(results));
} else {
  for (const r of results) {
    console.log(`${r.file} #${r.document} ${r.kind || "?"} ${r.name || ""}: ${r.errors.length ? r.errors.join("; ") : "valid"}`);
  }
}
process.exit(results.some((r) => r.errors.length > 0) ? 1 : 0);
