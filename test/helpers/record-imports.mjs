// Loaded with `node --import`: registers import-hooks.mjs for the whole process.
import { register } from 'node:module';

register(new URL('./import-hooks.mjs', import.meta.url));
