#!/usr/bin/env node
// The `vetalyze` command: the built CLI (bench/dist/cli.js, made by `npm run build`).
import '../dist/cli.js';
