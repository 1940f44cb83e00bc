import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readCsv } from '../../../datasets/read-csv.ts';

const CSV = '\uFEFFa,b\n1,"x, y"\n2,z\n';

async function rows(path: string, options = {}) {
  const out: Record<string, string>[] = [];
  for await (const r of readCsv(path, options)) out.push(r);
  return out;
}

describe('readCsv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'read-csv-'));

  it('reads .csv and .csv.gz alike, header as keys, BOM dropped', async () => {
    // Prepare
    writeFileSync(join(dir, 'plain.csv'), CSV);
    writeFileSync(join(dir, 'packed.csv.gz'), gzipSync(CSV));
    // Act
    const plain = await rows(join(dir, 'plain.csv'));
    const packed = await rows(join(dir, 'packed.csv.gz'));
    // Assess
    expect(plain).toEqual([{ a: '1', b: 'x, y' }, { a: '2', b: 'z' }]);
    expect(packed).toEqual(plain);
  });

  it('knows gzip by its bytes, not the file name', async () => {
    writeFileSync(join(dir, 'renamed.csv'), gzipSync(CSV));
    expect(await rows(join(dir, 'renamed.csv'))).toHaveLength(2);
  });

  it('takes csv-parse options (Bank Marketing is ;-separated)', async () => {
    writeFileSync(join(dir, 'semi.csv'), 'age;"job"\r\n56;"housemaid"\r\n');
    expect(await rows(join(dir, 'semi.csv'), { delimiter: ';' })).toEqual([{ age: '56', job: 'housemaid' }]);
  });

  it('throws a corrupt gzip from the loop', async () => {
    writeFileSync(join(dir, 'bad.csv.gz'), Buffer.concat([gzipSync(CSV).subarray(0, 12), Buffer.from('garbage')]));
    await expect(rows(join(dir, 'bad.csv.gz'))).rejects.toThrow();
  });
});
