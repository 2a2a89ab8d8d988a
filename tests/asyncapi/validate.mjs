// Validate AsyncAPI documents with @asyncapi/parser (schema and the spectral rules it runs).
//   node tests/asyncapi/validate.mjs docs/asyncapi.yaml [more files...]
// Prints one JSON object per file: {"file", "valid", "diagnostics": [{severity, code, message, path}]}.
// Severity as spectral: 0 error, 1 warning, 2 information, 3 hint. Exit 1 when a file has an error.
import { readFile } from "node:fs/promises";
import { Parser } from "@asyncapi/parser";

const SEVERITY = ["error", "warning", "information", "hint"];
const parser = new Parser();
let failed = false;

for (const file of process.argv.slice(2)) {
  const source = await readFile(file, "utf8");
  const { document, diagnostics } = await parser.parse(source, { source: file });
  const errors = diagnostics.filter((d) => d.severity === 0);
  const valid = document !== undefined && errors.length === 0;
  failed ||= !valid;
  console.log(
    JSON.stringify({
      file,
      valid,
      diagnostics: diagnostics.map((d) => ({
        severity: SEVERITY[d.severity] ?? String(d.severity),
        code: String(d.code),
        message: d.message,
        path: d.path.join("."),
      })),
    }),
  );
}
process.exit(failed ? 1 : 0);
