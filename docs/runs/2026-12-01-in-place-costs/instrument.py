"""Times parseInput and the cursor encode/decode inside a built dist/index.js, in place.

Measuring only: patch the build, run the harness, rebuild (npm run build) after.
  python3 instrument.py dist/index.js   # patches it in place
Each process prints on exit, for each: calls, mean and median microseconds,
timed with performance.now() around the call (the timer adds about 0.05 us).
"""
import sys

path = sys.argv[1]
source = open(path).read()

prelude = """globalThis.__inPlace ??= { parse: [], encode: [], decode: [] };
process.on('exit', () => {
  const f = (ms) => {
    if (ms.length === 0) return '0 calls';
    const sorted = [...ms].sort((a, b) => a - b);
    const mean = (ms.reduce((sum, one) => sum + one, 0) * 1000) / ms.length;
    const median = sorted[Math.floor(sorted.length / 2)] * 1000;
    return `${ms.length} calls, mean ${mean.toFixed(2)} us, median ${median.toFixed(2)} us`;
  };
  const t = globalThis.__inPlace;
  console.error(`IN-PLACE parseInput ${f(t.parse)}; cursor encode ${f(t.encode)}; cursor decode ${f(t.decode)}`);
});
function __timed(slot, run) {
  const started = performance.now();
  try { return run(); } finally { globalThis.__inPlace[slot].push(performance.now() - started); }
}
"""

def replace_once(old, new):
    global source
    if source.count(old) != 1:
        sys.exit(f"expected one occurrence of: {old!r}")
    source = source.replace(old, new)

replace_once("function parseInput(schema, input, field) {\n  const result = schema.safeParse(input);",
             prelude + "function parseInput(schema, input, field) {\n  const result = __timed('parse', () => schema.safeParse(input));")
replace_once("    encode: (binding, sortKey) => {\n", "    encode: (binding, sortKey) => __timed('encode', () => {\n")
replace_once("      return `${payload}.${tag(binding, payload).toString(\"base64url\")}`;\n    },\n    decode: (binding, cursor, keySchema) => {\n",
             "      return `${payload}.${tag(binding, payload).toString(\"base64url\")}`;\n    }),\n    decode: (binding, cursor, keySchema) => __timed('decode', () => {\n")
replace_once("      if (!result.success) throw invalidCursor();\n      return result.data;\n    }\n",
             "      if (!result.success) throw invalidCursor();\n      return result.data;\n    })\n")
open(path, "w").write(source)
