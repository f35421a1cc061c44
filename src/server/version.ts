import { readFileSync } from 'node:fs';
import { PACKAGE_ROOT } from './config.js';

/** The package version, read once from package.json. */
export const VERSION: string = (JSON.parse(readFileSync(`${PACKAGE_ROOT}/package.json`, 'utf8')) as { version: string }).version;
