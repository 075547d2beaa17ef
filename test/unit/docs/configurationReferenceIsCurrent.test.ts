import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { SETTINGS } from '../../../libs/config/settings.ts';
import { configReferencePath, configReferenceText } from '../../../scripts/configReferenceText.ts';

test('docs/configuration.md is what `npm run docs:config` writes from the SETTINGS table', async () => {
  const onDisk = await readFile(configReferencePath, 'utf8');
  const expected = await configReferenceText();
  assert.ok(
    onDisk === expected,
    'docs/configuration.md is stale: run `npm run docs:config` and commit the result',
  );
});

test('the reference names every variable with its default', async () => {
  const onDisk = await readFile(configReferencePath, 'utf8');
  for (const s of Object.values(SETTINGS)) {
    const row = onDisk.split('\n').find((line) => line.startsWith(`| \`${s.env}\``));
    assert.ok(row, `${s.env} missing`);
    if (s.default !== '') assert.ok(row.includes(`\`${s.default}\``), `${s.env} default missing`);
  }
});
