/**
 * Ray Tune's result files as rows: `result.json` (one JSON object a line, with Python's bare
 * NaN and Infinity) and `progress.csv` (config keys as `config/<key>` columns), and a dropped zip
 * as the path map a dropped folder gives.
 */
import { unzipSync } from 'fflate';

/** One result: Ray's bookkeeping fields and the trial's metrics, `config` a nested object. */
export type Row = Record<string, unknown>;

/** Unzips a dropped zip into the same path map a dropped folder gives. */
export function filesFromZip(zip: Uint8Array): Map<string, Uint8Array> {
  const entries = unzipSync(zip, { filter: (file) => !file.name.endsWith('/') && !/\.(pkl|tfevents)/.test(file.name) && !file.name.includes('events.out.tfevents') });
  return new Map(Object.entries(entries));
}

/** Python's json writes NaN and Infinity bare; JSON.parse reads them as null. */
export function parseJsonLine(line: string): unknown {
  return JSON.parse(line.replace(/([:[,]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g, '$1null'));
}

/** RFC 4180 CSV, as Ray's progress.csv and the studio's are written. */
export function parseCsv(source: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const endCell = () => {
    row.push(cell);
    cell = '';
  };
  const endRow = () => {
    endCell();
    rows.push(row);
    row = [];
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (quoted) {
      if (c !== '"') cell += c;
      else if (source[i + 1] === '"') {
        cell += '"';
        i++;
      } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') endCell();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && source[i + 1] === '\n') i++;
      endRow();
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) endRow();
  return rows.filter((r) => r.length > 1 || r[0] !== '');
}

function csvValue(cell: string): unknown {
  if (cell === '') return null;
  if (cell === 'True' || cell === 'False') return cell === 'True';
  const n = Number(cell);
  return Number.isNaN(n) && cell !== 'nan' ? cell : n;
}

/** progress.csv rows as result.json-like rows, `config/<key>` columns gathered into `config`. */
export function rowsFromCsv(source: string): Row[] {
  const [header, ...lines] = parseCsv(source);
  if (!header) return [];
  return lines.map((cells) => {
    const row: Row = {};
    const config: Row = {};
    header.forEach((name, i) => {
      const value = csvValue(cells[i] ?? '');
      if (name.startsWith('config/')) config[name.slice('config/'.length)] = value;
      else row[name] = value;
    });
    if (Object.keys(config).length > 0) row.config = config;
    return row;
  });
}

/** result.json's rows; a line that is not a JSON object is skipped with a warning naming it. */
export function rowsFromJsonLines(path: string, source: string, warnings: string[]): Row[] {
  const rows: Row[] = [];
  source.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      const value = parseJsonLine(line);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) rows.push(value as Row);
    } catch {
      warnings.push(`${path}: line ${index + 1} is not JSON and was skipped`);
    }
  });
  return rows;
}

