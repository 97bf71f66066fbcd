/**
 * Hostile text for the studio's two text doors (config.yaml in the editor, share links), each with
 * the pattern its refusal must match. The browser tests and `npm run bench:hostile` read this one
 * table; the hostile files for the third door are in src/export/hostileFiles.ts.
 */

/** Sets `window.__xss` if it ever runs. */
export const XSS = `<img src=x onerror="window.__xss=1">`;

/** A hostile input and the refusal it must get. */
export interface HostileText {
  title: string;
  text: string;
  refusal: RegExp;
}

const aliasBomb = ['a: &a [1,1,1,1,1,1,1,1,1]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]', 'config:', '  f1: *c'].join('\n');

/** config.yaml texts typed or pasted into the editor. */
export const HOSTILE_CONFIGS: readonly HostileText[] = [
  { title: 'YAML alias bomb', text: aliasBomb, refusal: /f1: YAML aliases \(\*c\) are not read in a configuration/ },
  { title: 'deep nesting', text: `config:\n  f1: ${'['.repeat(5000)}${']'.repeat(5000)}`, refusal: /lists or mappings nested more than 16 deep/ },
  { title: 'oversized text', text: `config:\n  f1: [8]\n#${'x'.repeat(70_000)}`, refusal: /the configuration is 70,\d{3} characters; at most 65,536/ },
  { title: 'oversized batch_size', text: 'config:\n  batch_size: 1000000', refusal: /config\.yaml:2:15: batch_size must be an integer from 1 to 4096, got 1000000/ },
  { title: 'list past the cap', text: `config:\n  lr: [${Array.from({ length: 300 }, () => '0.001').join(', ')}]`, refusal: /lr: the list has 300 values; at most 256/ },
  { title: 'misplaced digit separator', text: 'config:\n  num_trials: 1__0', refusal: /num_trials: '1__0': a digit separator goes between two digits/ },
  { title: 'unknown model', text: 'config:\n  model: Transformer', refusal: /model: unknown architecture 'Transformer'; valid: Classifier/ },
  { title: 'XSS string', text: `config:\n  scheduler: '${XSS}'`, refusal: /scheduler: unknown scheduler '<img src=x onerror="window\.__xss=1">'/ },
];

/** A config.yaml the editor accepts, with Hydra's comma sweep and digit separators. */
export const VALID_CONFIG = 'config:\n  f1: 4,8\n  num_trials: 1_0\n  max_num_epochs: 1\n';

/** Share-link queries (the `text` is the query, from `?`). */
export const HOSTILE_LINKS: readonly HostileText[] = [
  { title: 'malformed escape', text: '?lr=%E0%A4%A', refusal: /the link part 'lr=%E0%A4%A' has a malformed %-escape/ },
  { title: 'oversized query', text: `?lr=${'1'.repeat(9_000)}`, refusal: /the link's query is 9,003 characters; at most 8,320/ },
  { title: 'range past the cap', text: '?batch_size=range(1,4000)', refusal: /batch_size: range\(1, 4000, 1\) has 3999 values; at most 256/ },
  { title: 'XSS in a key', text: `?${encodeURIComponent(XSS)}=1`, refusal: /expected key=value/ },
  { title: 'XSS in a value', text: `?model=${encodeURIComponent(XSS)}`, refusal: /override 'model=<img src=x onerror="window\.__xss=1">' col 12: model: unexpected 'src' after the value/ },
];

/** A share link the studio applies. */
export const VALID_LINK = '?num_trials=5&lr=choice(0.001,0.01)';
