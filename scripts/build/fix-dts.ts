// tsc keeps our `.ts` import specifiers in .d.ts output (rewriteRelativeImportExtensions only
// rewrites JavaScript), and a consumer's tsc does not resolve './x.ts' to './x.d.ts'. Rewrites the
// relative specifiers of every .d.ts under a folder to '.js'.
//   tsx scripts/build/fix-dts.ts dist/lib/types
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SPECIFIER = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]+?)\.ts(['"])/g;

export function rewriteSpecifiers(code: string): string {
  return code.replace(SPECIFIER, '$1$2.js$3');
}

export function fixFolder(dir: string): number {
  let changed = 0;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) changed += fixFolder(full);
    else if (name.endsWith('.d.ts')) {
      const code = readFileSync(full, 'utf8');
      const fixed = rewriteSpecifiers(code);
      if (fixed !== code) {
        writeFileSync(full, fixed);
        changed += 1;
      }
    }
  }
  return changed;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: tsx scripts/build/fix-dts.ts <folder>');
  console.log(`fix-dts: ${fixFolder(dir)} declaration files rewritten under ${dir}`);
}
