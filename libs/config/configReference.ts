import type { Setting } from './settings.ts';

/**
 * Renders the configuration reference (docs/configuration.md) from the SETTINGS table, so the
 * document lists exactly the variables the loader reads, with the defaults and bounds it applies.
 * The result is plain Markdown; the writer script formats it like every other file.
 */
export function renderConfigReference(settings: Record<string, Setting<unknown>>): string {
  const rows = Object.values(settings).map((s) => {
    const def = s.default === '' ? '(empty)' : code(s.default);
    const accepts = s.parse.accepts ?? '';
    return `| ${code(s.env)} | ${def} | ${escape(accepts)} | ${escape(s.description)} |`;
  });
  return [
    '# Configuration reference',
    '',
    '<!-- Generated from libs/config/settings.ts by `npm run docs:config`; edit the table there, not here. -->',
    '',
    'Every Fanout process (api, bridge, router, all) reads these environment variables once at',
    'start-up and refuses to start, naming each bad variable, if one does not parse. Every default',
    'works on the local stack (`npm start`).',
    '',
    '| variable | default | accepts | meaning |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

function code(text: string): string {
  return '`' + text.replaceAll('`', "'") + '`';
}

function escape(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
