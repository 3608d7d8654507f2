#!/usr/bin/env node
import module from 'node:module';

// Node.js 22.8 and later can keep compiled code on disk, so that later starts skip compiling.
// The cache goes to the system's temporary folder unless NODE_COMPILE_CACHE names another, and
// NODE_DISABLE_COMPILE_CACHE=1 turns it off. Node.js 20 lacks the function and starts as before.
// The call must come before the CLI's modules load, so they are imported dynamically below.
module.enableCompileCache?.();

const { main } = await import('../dist/cli/cli.js');

process.exitCode = await main(process.argv);
