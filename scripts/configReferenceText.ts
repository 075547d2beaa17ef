import { format, resolveConfig } from 'prettier';
import { renderConfigReference } from '../libs/config/configReference.ts';
import { SETTINGS } from '../libs/config/settings.ts';

export const configReferencePath = new URL('../docs/configuration.md', import.meta.url);

/** The configuration reference exactly as `npm run docs:config` writes it (prettier-formatted). */
export async function configReferenceText(): Promise<string> {
  const options = (await resolveConfig(configReferencePath)) ?? {};
  return format(renderConfigReference(SETTINGS), {
    ...options,
    filepath: configReferencePath.pathname,
  });
}
