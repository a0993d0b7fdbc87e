// Reads one artifact for preview. The path is contained in the run's artifact folder (symlinks
// included), only the first maxBytes are read, and HTML comes back as text for a sandboxed
// iframe (srcdoc, no scripts) — never as a URL the renderer could navigate to.
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactContent } from '../../../preload/api.ts';
import { resolveInsideReal } from '../fs/paths.ts';

const IMAGE_MIME: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.bmp': 'image/bmp',
  '.svg': 'image/svg+xml',
};
const TEXT_EXT = new Set([
  '.txt', '.log', '.md', '.markdown', '.json', '.yaml', '.yml', '.py', '.toml', '.cfg', '.ini', '.sh',
  '.r', '.sql', '.xml', '.ipynb', '.js', '.ts',
]);
const TABLE_EXT = new Set(['.csv', '.tsv']);
const DEFAULT_MAX = 2 * 1024 * 1024;
const IMAGE_MAX = 25 * 1024 * 1024;

export async function readArtifactContent(root: string, rel: string, maxBytes = DEFAULT_MAX): Promise<ArtifactContent> {
  const file = await resolveInsideReal(root, rel);
  const st = await stat(file);
  if (st.isDirectory()) throw Object.assign(new Error(`${rel} is a folder`), { code: 'INVALID_ARGUMENT' });
  const ext = path.extname(file).toLowerCase();
  const base = path.basename(file);
  const imageMime = IMAGE_MIME[ext];
  if (imageMime) {
    if (st.size > IMAGE_MAX) return { path: rel, size: st.size, kind: 'binary', mime: imageMime, truncated: true };
    const { bytes } = await head(file, IMAGE_MAX);
    return { path: rel, size: st.size, kind: 'image', mime: imageMime, dataUrl: `data:${imageMime};base64,${bytes.toString('base64')}`, truncated: false };
  }
  const { bytes, truncated } = await head(file, maxBytes);
  const looksBinary = bytes.subarray(0, 8192).includes(0);
  if (ext === '.html' || ext === '.htm') {
    return { path: rel, size: st.size, kind: 'html', mime: 'text/html', text: bytes.toString('utf8'), truncated };
  }
  if (TABLE_EXT.has(ext)) {
    return { path: rel, size: st.size, kind: 'table', mime: ext === '.csv' ? 'text/csv' : 'text/tab-separated-values', text: bytes.toString('utf8'), truncated };
  }
  if (!looksBinary && (TEXT_EXT.has(ext) || base === 'MLmodel' || base === 'registered_model_meta' || ext === '' || isUtf8(bytes))) {
    return { path: rel, size: st.size, kind: 'text', mime: ext === '.json' ? 'application/json' : 'text/plain', text: bytes.toString('utf8'), truncated };
  }
  return { path: rel, size: st.size, kind: 'binary', mime: 'application/octet-stream', truncated: st.size > 0 };
}

async function head(file: string, maxBytes: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const n = Math.min(size, maxBytes);
    const buf = Buffer.alloc(n);
    let off = 0;
    while (off < n) {
      const { bytesRead } = await fh.read(buf, off, n - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return { bytes: buf.subarray(0, off), truncated: size > maxBytes };
  } finally {
    await fh.close();
  }
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, 8192));
    return true;
  } catch {
    // A cut in the middle of a multi-byte character at the 8 KiB edge is still text.
    return false;
  }
}
