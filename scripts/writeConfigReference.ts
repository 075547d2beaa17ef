// `npm run docs:config`: regenerates docs/configuration.md from libs/config/settings.ts.
import { writeFile } from 'node:fs/promises';
import { configReferencePath, configReferenceText } from './configReferenceText.ts';

await writeFile(configReferencePath, await configReferenceText());
console.log(`wrote ${configReferencePath.pathname}`);
