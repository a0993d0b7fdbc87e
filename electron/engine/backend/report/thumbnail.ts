// Image artifacts as small thumbnails for a report: decoded and downscaled by sharp (libvips), so
// a 40-megapixel plot becomes a few kilobytes, and a file named .png that is not an image is
// refused with the decoder's reason instead of being embedded.
import { stat } from 'node:fs/promises';
import type { Sharp } from 'sharp';

/** Longest side of a thumbnail, px. */
export const THUMB_SIZE = 360;
/** Files larger than this are not decoded at all. */
export const MAX_IMAGE_BYTES = 50 * 1024 * 1024;
/** Decoding refuses images with more pixels than this (a decompression bomb). */
const MAX_PIXELS = 100_000_000;
/** A PNG thumbnail above this size is re-encoded as JPEG. */
const MAX_THUMB_BYTES = 96 * 1024;

export interface Thumbnail {
  dataUrl: string;
  bytes: Buffer;
  mime: 'image/png' | 'image/jpeg';
  width: number;
  height: number;
}

export async function thumbnail(file: string): Promise<Thumbnail> {
  const st = await stat(file);
  if (st.size > MAX_IMAGE_BYTES) throw new Error(`image too large to embed (${Math.round(st.size / 1024 / 1024)} MB)`);
  // sharp (libvips, ~50 ms to load) only when a report has images to embed.
  const { default: sharp } = await import('sharp');
  let img: Sharp;
  try {
    img = sharp(file, { limitInputPixels: MAX_PIXELS, animated: false });
    await img.metadata();
  } catch (e) {
    throw new Error(`not a readable image (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  const resized = img.resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true }).flatten({ background: '#ffffff' });
  let out = await resized.clone().png({ compressionLevel: 9 }).toBuffer({ resolveWithObject: true });
  let mime: Thumbnail['mime'] = 'image/png';
  if (out.data.length > MAX_THUMB_BYTES) {
    out = await resized.clone().jpeg({ quality: 80 }).toBuffer({ resolveWithObject: true });
    mime = 'image/jpeg';
  }
  return { dataUrl: `data:${mime};base64,${out.data.toString('base64')}`, bytes: out.data, mime, width: out.info.width, height: out.info.height };
}
