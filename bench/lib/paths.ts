// Where the benchmarks keep things: their folder, the committed results and the gitignored cache
// of generated stores (and built harnesses).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const REPO_ROOT = path.dirname(BENCH_DIR);
export const RESULTS_DIR = path.join(BENCH_DIR, 'results');
export const CACHE_DIR = path.join(BENCH_DIR, '.cache');
