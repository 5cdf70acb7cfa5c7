// The CDN-like server of `npm run preview` (and the delivery bench/tests): precompressed copies with
// Content-Encoding by Accept-Encoding, cache lifetimes by name, ETag/304, and the precompressor.
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROTLI_QUALITY_FAST, precompressFolder } from '../../../scripts/build/precompress.ts';
import { cacheControl, pickEncoding, startEmbedServer, type EmbedServer } from '../../../scripts/build/serve.ts';

let dir: string;
let server: EmbedServer;
const code = 'export const x = "' + 'because '.repeat(200) + '";\n';

/** GET without the client's own decompression: the bytes as sent. */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((ok, fail) => {
    request(url, { headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    }).on('error', fail).end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'because-serve-'));
  mkdirSync(join(dir, 'models/m'), { recursive: true });
  writeFileSync(join(dir, 'because-embed.js'), code);
  writeFileSync(join(dir, 'because-chunk-abc123.js'), code);
  writeFileSync(join(dir, 'models/m/manifest.json'), '{}');
  const sizes = precompressFolder(dir, join(dir, '.cache'));
  expect(sizes['because-embed.js']!.br).toBeLessThan(sizes['because-embed.js']!.raw);
  rmSync(join(dir, '.cache'), { recursive: true });
  server = await startEmbedServer({ dir, prefix: '/cdn/' });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('precompressFolder', () => {
  it('fast: the same files, brotli at the fast quality (its own cache entries), decoding to the original', () => {
    const fastDir = mkdtempSync(join(tmpdir(), 'because-fast-'));
    try {
      writeFileSync(join(fastDir, 'because-embed.js'), code);
      precompressFolder(fastDir, join(fastDir, '.cache'), () => undefined, true);
      expect(brotliDecompressSync(readFileSync(join(fastDir, 'because-embed.js.br'))).toString()).toBe(code);
      expect(gunzipSync(readFileSync(join(fastDir, 'because-embed.js.gz'))).toString()).toBe(code);
      expect(readdirSync(join(fastDir, '.cache')).some((f) => f.endsWith(`.br${BROTLI_QUALITY_FAST}`))).toBe(true);
      expect(readdirSync(join(fastDir, '.cache')).some((f) => f.endsWith('.br11'))).toBe(false);
    } finally {
      rmSync(fastDir, { recursive: true, force: true });
    }
  });
});

describe('CDN-like serving', () => {
  it('sends brotli when accepted, else gzip, else the file; the body decodes to the original', async () => {
    const br = await get(server.url('/cdn/because-embed.js'), { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(br.headers['content-type']).toMatch(/^text\/javascript/);
    expect(brotliDecompressSync(br.body).toString()).toBe(code);
    const gz = await get(server.url('/cdn/because-embed.js'), { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(code);
    const plain = await get(server.url('/cdn/because-embed.js'), { 'accept-encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(code);
    expect(server.log.slice(-3).map((r) => [r.encoding, r.bytes])).toEqual([['br', br.body.length], ['gzip', gz.body.length], [null, code.length]]);
  });

  it('caches hashed files as immutable, the two stable names for an hour; ETag gives 304; unknown is 404', async () => {
    expect((await get(server.url('/cdn/because-chunk-abc123.js'))).headers['cache-control']).toContain('immutable');
    const manifest = await get(server.url('/cdn/models/m/manifest.json'));
    expect(manifest.headers['cache-control']).toBe('public, max-age=3600');
    const again = await get(server.url('/cdn/models/m/manifest.json'), { 'if-none-match': String(manifest.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect((await get(server.url('/cdn/because-embed.js.br'))).status).toBe(404); // copies are not URLs
    expect((await get(server.url('/cdn/../package.json'))).status).toBe(404);
  });

  it('parses Accept-Encoding q-values', () => {
    expect(pickEncoding('br;q=0, gzip', { br: true, gz: true })).toBe('gzip');
    expect(pickEncoding('*', { br: true, gz: true })).toBe('br');
    expect(pickEncoding(undefined, { br: true, gz: true })).toBeNull();
    expect(cacheControl('/x/because-embed.js')).toBe('public, max-age=3600');
  });
});
