/**
 * Reads the shell examples out of the README, so that a test runs exactly what a partner engineer pastes.
 * An example promises an answer with a `# → …` line (continued on `#   …` lines); `…` stands for anything.
 */

/** A ```bash block: its lines (without the block's indentation), where it starts, and the heading above it. */
export interface BashBlock {
  heading: string;
  /** README line number (1-based) of the block's first line of code. */
  firstLine: number;
  lines: string[];
}

/** An answer the README promises, and where. */
export interface PromisedAnswer {
  line: number;
  text: string;
}

const FENCE_OPEN = /^(\s*)```(\w*)\s*$/;
const FENCE_CLOSE = /^\s*```\s*$/;
const HEADING = /^#{1,6}\s+(.*)$/;
const PROMISE = /^# → (.*)$/;
const PROMISE_CONTINUED = /^# {3}(.*)$/;

/** The ```bash blocks of a markdown text, in order, each with the heading it sits under. */
export function bashBlocks(markdown: string): BashBlock[] {
  const blocks: BashBlock[] = [];
  let heading = '';
  // Every fenced block is skipped over (a `#` line in it is no heading); only bash ones are kept.
  let open: { indent: number; block: BashBlock; bash: boolean } | undefined;
  markdown.split('\n').forEach((line, index) => {
    if (open) {
      if (FENCE_CLOSE.test(line)) {
        if (open.bash) blocks.push(open.block);
        open = undefined;
      } else {
        open.block.lines.push(line.slice(open.indent));
      }
      return;
    }
    const fence = FENCE_OPEN.exec(line);
    if (fence) open = { indent: fence[1].length, block: { heading, firstLine: index + 2, lines: [] }, bash: fence[2] === 'bash' };
    else heading = HEADING.exec(line)?.[1] ?? heading;
  });
  return blocks;
}

export interface ReadmeScript {
  /** The blocks' code, each `# →` line replaced by `answered <its README line>`. */
  code: string;
  promises: PromisedAnswer[];
}

/** Joins the blocks into one script; the caller defines `answered`, which ties a promise to the latest answer. */
export function readmeScript(blocks: BashBlock[]): ReadmeScript {
  const promises: PromisedAnswer[] = [];
  const code: string[] = [];
  for (const block of blocks) {
    let continuing = false; // the previous line was a promise or its continuation
    block.lines.forEach((line, index) => {
      const promise = PROMISE.exec(line);
      const continued = continuing ? PROMISE_CONTINUED.exec(line) : null;
      if (promise) {
        promises.push({ line: block.firstLine + index, text: promise[1] });
        code.push(`answered ${block.firstLine + index}`);
      } else {
        if (continued) promises[promises.length - 1].text += `\n${continued[1]}`;
        code.push(line);
      }
      continuing = Boolean(promise || continued);
    });
  }
  return { code: code.join('\n'), promises };
}

/** Whether an answer is the promised one, `…` standing for any text (newlines included). */
export function keepsPromise(promised: string, answer: string): boolean {
  const escaped = promised.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('[\\s\\S]*')}$`).test(answer.trimEnd());
}
