# Puts Node.js 24 first on PATH. When the machine's Node.js is older, installs
# node@24 from the npm registry (no other download) into
# ${VETALYZE_NODE_DIR:-~/.cache/vetalyze-node24} first. Source it, don't run it:
#   source .ci/use-node-24.sh
# README.md and .ci/run both use this one file.
vetalyze_node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$vetalyze_node_major" -lt 24 ]; then
  vetalyze_node_dir="${VETALYZE_NODE_DIR:-$HOME/.cache/vetalyze-node24}"
  if [ ! -x "$vetalyze_node_dir/node_modules/.bin/node" ]; then
    echo "Node.js $vetalyze_node_major found; installing node@24 from the npm registry into $vetalyze_node_dir"
    npm install --prefix "$vetalyze_node_dir" --no-audit --no-fund --loglevel=error node@24
  fi
  export PATH="$vetalyze_node_dir/node_modules/.bin:$PATH"
fi
echo "node $(node --version), npm $(npm --version)"
unset vetalyze_node_major vetalyze_node_dir
