// Command lines of the benchmarks: every script declares its options once (name, kind, what it
// does) and gets them parsed the same way — `--name value` and `--name=value`, unknown options
// and stray words rejected, numbers checked — and `--help` / `-h` printing the script's usage
// with the option list and exiting 0.
import { parseArgs } from 'node:util';

type Kind = 'flag' | 'string' | 'number';

export interface OptionSpec {
  kind: Kind;
  /** One line for --help. */
  help: string;
  /** Shown in --help: `--runs N`. */
  value?: string;
}

type Value<K extends Kind> = K extends 'flag' ? boolean : K extends 'number' ? number | undefined : string | undefined;
export type Args<S extends Record<string, OptionSpec>> = { [K in keyof S]: Value<S[K]['kind']> };

export interface Cli<S extends Record<string, OptionSpec>> {
  /** What the script does and how it is called (the head of --help). */
  usage: string;
  options: S;
  /** Words besides the options are accepted (e.g. a folder; the usage names them). */
  positionals?: boolean;
}

export function helpText(cli: Cli<Record<string, OptionSpec>>): string {
  const rows: [string, string][] = Object.entries(cli.options).map(([name, o]) => [`--${name}${o.value ? ` ${o.value}` : ''}`, o.help]);
  rows.push(['-h, --help', 'this help']);
  const w = Math.max(...rows.map(([f]) => f.length));
  return `${cli.usage.trimEnd()}\n\nOptions:\n${rows.map(([f, h]) => `  ${f.padEnd(w)}  ${h}`).join('\n')}\n`;
}

/**
 * The options of `argv` (without node and the script), or, given --help, the usage on stdout and
 * exit 0. A bad command line throws (the scripts' top level prints it and exits 1).
 */
export function readArgs<S extends Record<string, OptionSpec>>(argv: string[], cli: Cli<S>): Args<S> & { positionals: string[] } {
  const options = Object.fromEntries(Object.entries(cli.options).map(([name, o]) => [name, { type: o.kind === 'flag' ? 'boolean' : 'string' } as const]));
  let parsed;
  try {
    parsed = parseArgs({ args: argv, strict: true, allowPositionals: cli.positionals === true, options: { ...options, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)} (--help lists the options)`, { cause: e });
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(helpText(cli));
    process.exit(0);
  }
  const out: Record<string, unknown> = { positionals };
  for (const [name, o] of Object.entries(cli.options)) {
    const v = (values as Record<string, string | boolean | undefined>)[name];
    if (o.kind === 'flag') out[name] = v === true;
    else if (o.kind === 'string') out[name] = v;
    else if (v === undefined) out[name] = undefined;
    else {
      const n = Number(v);
      if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n)) throw new Error(`--${name} takes a number (got "${String(v)}")`);
      out[name] = n;
    }
  }
  return out as Args<S> & { positionals: string[] };
}
