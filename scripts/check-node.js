// Fails fast, naming the fix, when npm scripts do not run on the project's own Node 22
// (node_modules/.bin/node from the `node` devDependency).
const major = Number(process.versions.node.split('.')[0]);
if (major !== 22) {
  console.error(
    `warmgate: this runs on Node ${process.versions.node}, but Warmgate needs Node 22 LTS.\n` +
      `Run it through npm (npm start / npm test), which puts node_modules/.bin/node (Node 22) first on PATH,\n` +
      `after \`npm install\` has installed the \`node\` devDependency.`,
  );
  process.exit(1);
}
console.log(`warmgate: Node ${process.versions.node} (${process.execPath})`);
