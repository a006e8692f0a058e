// Copies the licence of every package bundled into tiptap.bundle.min.js next to it (all MIT).
import { readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const root = "node_modules";
const names = [];
for (const entry of readdirSync(root)) {
  if (entry.startsWith(".") || entry === "esbuild") continue; // esbuild builds; it is not shipped
  if (entry.startsWith("@")) {
    if (entry === "@esbuild") continue;
    for (const sub of readdirSync(join(root, entry))) names.push(`${entry}/${sub}`);
  } else names.push(entry);
}
const parts = [];
for (const name of names.sort()) {
  const dir = join(root, name);
  const file = ["LICENSE", "LICENSE.md", "LICENSE.txt", "license"].map((f) => join(dir, f)).find(existsSync);
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const text = file ? readFileSync(file, "utf8").trim() : `${pkg.license} (no licence file in the package)`;
  parts.push(`=== ${name}@${pkg.version} (${pkg.license}) ===\n\n${text}\n`);
}
writeFileSync("../../../static/vendor/tiptap/LICENSES.txt", parts.join("\n"));
console.log(`licences of ${names.length} packages written`);
