// The backends depend on the primitives, never the other way: the lazily loaded noble modules and the types
// they share import nothing from a backend, so no module circle exists between them.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const src = new URL('../src/', import.meta.url);
const importsOf = (file: string) =>
  [...readFileSync(new URL(file, src), 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.\/[^']+)'/g)].map(
    (m) => m[1]!,
  );

describe('import graph of @x/crypto', () => {
  it('noble-*.ts and backend-types.ts import no backend module', () => {
    const files = readdirSync(src).filter((f) => /^noble-.*\.ts$/.test(f) || f === 'backend-types.ts');
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files)
      expect(
        importsOf(file).filter((i) => /backend(?!-types)/.test(i)),
        file,
      ).toEqual([]);
  });

  it('no module of src is part of an import circle', () => {
    const graph = new Map<string, string[]>();
    for (const file of readdirSync(src).filter((f) => f.endsWith('.ts')))
      graph.set(
        file,
        importsOf(file)
          .map((i) => i.slice(2))
          .filter((i) => i.endsWith('.ts')),
      );
    const circles: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (path.includes(file)) {
        circles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    };
    for (const file of graph.keys()) visit(file, []);
    expect(circles).toEqual([]);
  });
});
