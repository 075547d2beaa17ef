/** Where a command writes: `--json` prints the API's answer as is, for scripts. */
export interface Output {
  json: boolean;
  print(text: string): void;
  data(value: unknown, human: () => string): void;
}

export function output(
  json: boolean,
  write: (s: string) => void = (s) => process.stdout.write(s),
): Output {
  return {
    json,
    print: (text) => write(text + '\n'),
    data(value, human) {
      write((json ? JSON.stringify(value, null, 2) : human()) + '\n');
    },
  };
}
