// The `vetalyze` command. Checks the Node.js version before loading anything
// else, so an old Node gets one clear line instead of a failure halfway through.
const needed = 24;
const major = Number(process.versions.node.split('.')[0]);
if (major < needed) {
  process.stderr.write(
    `vetalyze: needs Node.js ${needed} or newer, this is ${process.version} (see README.md: "Node.js 24")\n`,
  );
  process.exit(1);
}
const { main } = await import('./program.js');
process.exitCode = await main(process.argv);
