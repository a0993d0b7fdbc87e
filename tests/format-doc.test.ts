// Comments cite the store format document by section ("format doc 2.12", "format doc sections
// 1.3, 2.2", "format doc section 2", "format doc 5.7" for item 7 of the checklist): each cited
// section must be in electron/engine/stores/mlflow-store-format.md, so that a citation always
// leads somewhere in the repository — a renumbered or dropped section fails here instead of
// leaving comments pointing at nothing.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/fixtures.ts';

const FORMAT_DOC = 'electron/engine/stores/mlflow-store-format.md';
const SOURCE = /\.(ts|tsx|js|mjs|cjs|sql|md)$/;
const CITATION = /format doc(?:s)?\s+(?:sections?\s+|§\s*)?(\d+(?:\.\d+)?(?:\s*(?:,|;|and|–|-)\s*\d+(?:\.\d+)?)*)/g;

/** Its numbered headings, and the items of a section that is one numbered list (5.3: item 3 of 5). */
function sectionsOfDoc(): Set<string> {
  const headings = new Set<string>();
  const items = new Map<string, string[]>();
  let top: string | null = null;
  for (const line of readFileSync(path.join(repoRoot, FORMAT_DOC), 'utf8').split('\n')) {
    const h = /^#{2,4}\s+(\d+(?:\.\d+)*)\.?\s/.exec(line);
    if (h?.[1]) {
      headings.add(h[1]);
      if (!h[1].includes('.')) top = h[1];
      continue;
    }
    const item = /^(\d+)\.\s/.exec(line);
    if (item?.[1] && top !== null) items.set(top, [...(items.get(top) ?? []), `${top}.${item[1]}`]);
  }
  for (const [section, list] of items) {
    const hasSubsections = [...headings].some((h) => h.startsWith(`${section}.`));
    if (!hasSubsections) for (const i of list) headings.add(i);
  }
  return headings;
}

function citations(): { file: string; line: number; section: string }[] {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot, encoding: 'utf8' })
    .split('\n')
    .filter((f) => SOURCE.test(f) && f !== FORMAT_DOC);
  const out: { file: string; line: number; section: string }[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(path.join(repoRoot, file), 'utf8');
    } catch {
      continue; // listed by git but deleted in the working tree
    }
    text.split('\n').forEach((line, i) => {
      for (const m of line.matchAll(CITATION)) {
        for (const section of (m[1] ?? '').match(/\d+(?:\.\d+)?/g) ?? []) out.push({ file, line: i + 1, section });
      }
    });
  }
  return out;
}

describe('the store format document', () => {
  it('has every section the comments cite', () => {
    const sections = sectionsOfDoc();
    expect(sections.has('2.12')).toBe(true);
    const cited = citations();
    // The comments do cite it (about ninety times): a pattern that stopped matching would pass vacuously.
    expect(cited.length).toBeGreaterThan(50);
    const dangling = cited.filter((c) => !sections.has(c.section)).map((c) => `${c.file}:${c.line} cites ${c.section}`);
    expect(dangling).toEqual([]);
  });
});
