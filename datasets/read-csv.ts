/**
 * The one CSV reader of the dataset converters, the CLI and the benchmarks: a file's rows as
 * objects keyed by the header, streamed (Online Retail is 45 MB uncompressed), from `.csv`
 * and `.csv.gz` alike (gzip is recognised by its magic bytes, not the name, so a renamed
 * file still reads). csv-parse does the RFC 4180 work; this only wires the stream.
 */
import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { PassThrough, pipeline, type Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse, type Options } from 'csv-parse';

export interface CsvRows<T> extends AsyncIterable<T> {
  /** Bytes of the file read so far (compressed bytes for a .gz): for progress bars. */
  bytesRead(): number;
}

function isGzip(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/**
 * Rows of `path`. `options` go to csv-parse (`delimiter: ';'` for Bank Marketing); columns
 * come from the header, a UTF-8 BOM is dropped, quotes are relaxed (Online Retail has stray
 * quotes inside descriptions). A read, gunzip or parse error is thrown by the loop; leaving
 * the loop early closes the file.
 */
export function readCsv<T = Record<string, string>>(path: string, options: Options = {}): CsvRows<T> {
  const input = createReadStream(path);
  const parser: Transform = parse({ columns: true, bom: true, relax_quotes: true, skip_empty_lines: true, ...options });
  // pipeline (not pipe) carries a read or gunzip error to the parser, so the loop throws it.
  pipeline(input, isGzip(path) ? createGunzip() : new PassThrough(), parser, () => {});
  return Object.assign(parser as unknown as AsyncIterable<T>, { bytesRead: () => input.bytesRead });
}
