// Renders CSL-JSON items with citeproc-js (npm's "citeproc", the processor Zotero and Mendeley use).
// Reads {"styles": {name: path}, "locale": path, "cases": [{"name", "item", "locator": [label, value] | null}]}
// on stdin; writes {"version", "cases": [{"name", style: {"entry", "citation"}}]} on stdout, as plain text.
"use strict";
const fs = require("fs");
const CSL = require("citeproc");

const input = JSON.parse(fs.readFileSync(0, "utf8"));
const locale = fs.readFileSync(input.locale, "utf8");

function render(stylePath, testCase) {
  const items = { [testCase.item.id]: testCase.item };
  const sys = { retrieveLocale: () => locale, retrieveItem: (id) => items[id] };
  const engine = new CSL.Engine(sys, fs.readFileSync(stylePath, "utf8"));
  engine.setOutputFormat("text");
  engine.updateItems([testCase.item.id]);
  const entry = engine.makeBibliography()[1].join("").trim();
  const cite = { id: testCase.item.id };
  if (testCase.locator) {
    cite.label = testCase.locator[0];
    cite.locator = testCase.locator[1];
  }
  const citation = engine.makeCitationCluster([cite]).trim();
  return { entry, citation };
}

const out = { version: CSL.PROCESSOR_VERSION, cases: [] };
for (const testCase of input.cases) {
  const rendered = { name: testCase.name };
  for (const [style, path] of Object.entries(input.styles)) {
    rendered[style] = render(path, testCase);
  }
  out.cases.push(rendered);
}
process.stdout.write(JSON.stringify(out, null, 1) + "\n");
