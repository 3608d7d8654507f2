#!/usr/bin/env node
import module from 'node:module';

// Node 22.8 and later can cache compiled code on disk, which shortens every
// start after the first. Node 20 has no such API, so there this does nothing.
module.enableCompileCache?.();

const { main } = await import('../dist/cli.js');
process.exitCode = await main(process.argv);
