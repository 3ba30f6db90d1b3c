import fs from 'node:fs';

/**
 * Adds a run to its section of BENCHMARKS.md: at the end of the section when it exists (other sections,
 * written by other benchmarks, stay as they are), else as a new section at the end of the file.
 */
export function recordRun(file: string, heading: string, intro: string, run: string): void {
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const title = `## ${heading}`;
  const start = existing.split('\n').findIndex((line) => line.trim() === title);
  if (start === -1) {
    fs.writeFileSync(file, `${existing.trimEnd()}\n\n${title}\n\n${intro.trim()}\n\n${run.trim()}\n`);
    return;
  }
  const lines = existing.split('\n');
  const next = lines.findIndex((line, index) => index > start && /^## /.test(line));
  const end = next === -1 ? lines.length : next;
  const section = lines.slice(0, end).join('\n').trimEnd();
  const rest = lines.slice(end).join('\n');
  fs.writeFileSync(file, `${section}\n\n${run.trim()}\n${rest ? `\n${rest}` : ''}`);
}
