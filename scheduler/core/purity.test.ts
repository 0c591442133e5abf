/**
 * Architecture rules, checked over the source tree. Each rule names the files it covers and what
 * they must not contain; a failure lists every offence as `file:line  source line`.
 *
 *   core-no-wall-clock      scheduler/core (non-test files) never reads the clock or sets timers:
 *                           time is passed in (ARCHITECTURE.md, "Pure core, time passed in").
 *   scheduler-no-ui         scheduler/ never imports next, react or app/.
 *   io-libs-in-adapters     @prisma/*, protobufjs and node-zookeeper-client are imported only in
 *                           scheduler/adapters/ (protobufjs also in proto/ and mesos-local/).
 *
 * Comments are ignored, so a comment may mention Date.now() freely.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const SOURCE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;
const TEST_FILE = /\.(test|spec)\.[cm]?[jt]sx?$/;
/** Never scanned: dependencies, build output, data, and generated code. */
const SKIP_DIRS = new Set(['node_modules', '.next', '.git', 'data', 'coverage', '.sisyphus-test', 'artifacts', 'generated']);

interface SourceFile {
  /** Project-relative, with forward slashes. */
  rel: string;
  /** The text with comments blanked out (line breaks kept, so line numbers still match). */
  code: string;
  /** The original lines, for the report. */
  lines: string[];
}

interface Offence {
  rel: string;
  line: number;
  text: string;
  why: string;
}

/**
 * Replaces comments by spaces, keeping line breaks; string and template literals are kept as they
 * are (import specifiers are strings). Regular-expression literals are not recognised: a quote or
 * `//` inside one can hide at most the rest of its line.
 */
function stripComments(src: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      while (i < src.length && src[i] !== '\n') {
        out += ' ';
        i++;
      }
    } else if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end === -1 ? src.length : end + 2;
      for (; i < stop; i++) out += src[i] === '\n' ? '\n' : ' ';
    } else if (c === '"' || c === "'" || c === '`') {
      // A quote that is not really a string start (inside a regex literal) ends at the line end.
      out += c;
      i++;
      while (i < src.length && src[i] !== c && (c === '`' || src[i] !== '\n')) {
        if (src[i] === '\\') {
          out += src[i++];
        }
        if (i < src.length) out += src[i++];
      }
      if (i < src.length) out += src[i++];
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function lineOf(code: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (code.charCodeAt(i) === 10) line++;
  return line;
}

function walk(dir: string, acc: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) walk(path.join(dir, entry.name), acc);
    } else if (entry.isFile() && SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      acc.push(path.join(dir, entry.name));
    }
  }
  return acc;
}

function load(abs: string): SourceFile {
  const text = fs.readFileSync(abs, 'utf8');
  return {
    rel: path.relative(ROOT, abs).split(path.sep).join('/'),
    code: stripComments(text),
    lines: text.split('\n'),
  };
}

// ------------------------------------------------------------------------------- what is looked for

/** Wall-clock reads and timers, each with the reason it is banned. */
const CLOCK_PATTERNS: ReadonlyArray<{ re: RegExp; why: string }> = [
  { re: /\bDate\.now\s*\(/g, why: 'Date.now() reads the wall clock' },
  { re: /(?<![\w$.])Date\s*\(\s*\)/g, why: 'new Date() / Date() without arguments reads the wall clock' },
  { re: /\bnew\s+Date\b(?!\s*\()/g, why: '`new Date` without arguments reads the wall clock' },
  { re: /\bperformance\.now\s*\(/g, why: 'performance.now() reads the clock' },
  { re: /\bsetTimeout\s*\(/g, why: 'setTimeout sets a timer' },
  { re: /\bsetInterval\s*\(/g, why: 'setInterval sets a timer' },
  { re: /\bsetImmediate\s*\(/g, why: 'setImmediate schedules a callback' },
  { re: /\bprocess\.hrtime\b/g, why: 'process.hrtime reads the clock' },
];

/** Module specifiers of static imports, re-exports, dynamic import() and require(). */
const IMPORT_RE = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(['"])([^'"\n]+)\1/g;

interface ImportRef {
  spec: string;
  line: number;
}

function importsOf(file: SourceFile): ImportRef[] {
  const refs: ImportRef[] = [];
  for (const m of file.code.matchAll(IMPORT_RE)) refs.push({ spec: m[2], line: lineOf(file.code, m.index ?? 0) });
  return refs;
}

/** The npm package a bare specifier names (`@scope/name` or `name`); null for paths. */
function packageOf(spec: string): string | null {
  if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('@/') || spec.startsWith('node:')) return null;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The project-relative path a relative or `@/` specifier points at; null for packages. */
function projectPathOf(fromRel: string, spec: string): string | null {
  if (spec.startsWith('@/')) return path.posix.normalize(spec.slice(2));
  if (spec.startsWith('.')) return path.posix.normalize(path.posix.join(path.posix.dirname(fromRel), spec));
  return null;
}

// ------------------------------------------------------------------------------------------- rules

interface Rule {
  name: string;
  description: string;
  applies(rel: string): boolean;
  check(file: SourceFile): Omit<Offence, 'rel' | 'text'>[];
}

const under = (rel: string, dir: string) => rel === dir || rel.startsWith(`${dir}/`);

const IO_LIBRARIES: ReadonlyArray<{ test: (pkg: string) => boolean; label: string; alsoAllowedIn: string[] }> = [
  { test: (p) => p.startsWith('@prisma/'), label: '@prisma/*', alsoAllowedIn: [] },
  { test: (p) => p === 'protobufjs', label: 'protobufjs', alsoAllowedIn: ['proto', 'mesos-local'] },
  { test: (p) => p === 'node-zookeeper-client', label: 'node-zookeeper-client', alsoAllowedIn: [] },
];

const RULES: ReadonlyArray<Rule> = [
  {
    name: 'core-no-wall-clock',
    description: 'non-test files under scheduler/core never read the clock or set timers',
    applies: (rel) => under(rel, 'scheduler/core') && !TEST_FILE.test(rel),
    check(file) {
      const found: Omit<Offence, 'rel' | 'text'>[] = [];
      for (const { re, why } of CLOCK_PATTERNS) {
        for (const m of file.code.matchAll(re)) found.push({ line: lineOf(file.code, m.index ?? 0), why });
      }
      return found;
    },
  },
  {
    name: 'scheduler-no-ui',
    description: 'files under scheduler/ never import next, react or app/',
    applies: (rel) => under(rel, 'scheduler'),
    check(file) {
      const found: Omit<Offence, 'rel' | 'text'>[] = [];
      for (const { spec, line } of importsOf(file)) {
        const pkg = packageOf(spec);
        if (pkg === 'next' || pkg === 'react' || pkg === 'react-dom' || pkg?.startsWith('@next/')) {
          found.push({ line, why: `imports ${spec}` });
        }
        const target = projectPathOf(file.rel, spec);
        if (target !== null && under(target, 'app')) found.push({ line, why: `imports ${spec} (app/)` });
      }
      return found;
    },
  },
  {
    name: 'io-libs-in-adapters',
    description:
      '@prisma/*, protobufjs and node-zookeeper-client only in scheduler/adapters/ (protobufjs also in proto/ and mesos-local/)',
    applies: (rel) => !under(rel, 'scheduler/adapters'),
    check(file) {
      const found: Omit<Offence, 'rel' | 'text'>[] = [];
      for (const { spec, line } of importsOf(file)) {
        const pkg = packageOf(spec);
        if (pkg === null) continue;
        const lib = IO_LIBRARIES.find((l) => l.test(pkg));
        if (lib && !lib.alsoAllowedIn.some((dir) => under(file.rel, dir))) {
          found.push({ line, why: `imports ${spec} (${lib.label} belongs in scheduler/adapters/)` });
        }
      }
      return found;
    },
  },
];

function offences(rule: Rule, files: SourceFile[]): Offence[] {
  return files
    .filter((f) => rule.applies(f.rel))
    .flatMap((f) => rule.check(f).map((o) => ({ ...o, rel: f.rel, text: (f.lines[o.line - 1] ?? '').trim() })));
}

function report(list: Offence[]): string {
  return list.map((o) => `${o.rel}:${o.line}  ${o.why}  |  ${o.text}`).join('\n');
}

// ------------------------------------------------------------------------------------------- tests

describe('architecture rules hold over the source tree', () => {
  const files = walk(ROOT).map(load);

  it('finds the scheduler sources', () => {
    expect(files.some((f) => f.rel.startsWith('scheduler/core/'))).toBe(true);
  });

  it.each(RULES.map((r) => [r.name, r] as const))('%s', (_name, rule) => {
    const found = offences(rule, files);
    expect(found, `${rule.description}; offences:\n${report(found)}`).toEqual([]);
  });
});

/** The checker itself, on small named samples: each must be caught (or let through) as stated. */
describe('the rules catch what they should', () => {
  // Samples are built up with Q so that this file, which the rules scan too, imports nothing banned.
  const Q = "'";
  const sample = (rel: string, text: string): SourceFile => ({ rel, code: stripComments(text), lines: text.split('\n') });
  const rule = (name: string) => {
    const r = RULES.find((x) => x.name === name);
    if (!r) throw new Error(`no rule ${name}`);
    return r;
  };

  const cases: ReadonlyArray<{ name: string; rule: string; rel: string; text: string; lines: number[] }> = [
    { name: 'Date.now in core', rule: 'core-no-wall-clock', rel: 'scheduler/core/x.ts', text: 'const t = Date.now();', lines: [1] },
    { name: 'new Date() in core', rule: 'core-no-wall-clock', rel: 'scheduler/core/x.ts', text: 'a;\nconst d = new Date( );', lines: [2] },
    { name: 'new Date(ms) is fine', rule: 'core-no-wall-clock', rel: 'scheduler/core/x.ts', text: 'const d = new Date(ms);', lines: [] },
    { name: 'bare new Date', rule: 'core-no-wall-clock', rel: 'scheduler/core/x.ts', text: 'const d = new Date;', lines: [1] },
    { name: 'performance.now', rule: 'core-no-wall-clock', rel: 'scheduler/core/x.ts', text: 'performance.now()', lines: [1] },
    { name: 'timers', rule: 'core-no-wall-clock', rel: 'scheduler/core/x.ts', text: 'setTimeout(f, 1);\nsetInterval(f, 1);\nsetImmediate(f);', lines: [1, 2, 3] },
    { name: 'process.hrtime.bigint', rule: 'core-no-wall-clock', rel: 'scheduler/core/x.ts', text: 'process.hrtime.bigint()', lines: [1] },
    { name: 'comments are ignored', rule: 'core-no-wall-clock', rel: 'scheduler/core/x.ts', text: '// Date.now()\n/* setTimeout( */ x', lines: [] },
    { name: 'core tests may use the clock', rule: 'core-no-wall-clock', rel: 'scheduler/core/x.test.ts', text: 'Date.now()', lines: [] },
    { name: 'runtime may use the clock', rule: 'core-no-wall-clock', rel: 'scheduler/runtime/clock.ts', text: 'Date.now()', lines: [] },
    { name: 'next in scheduler', rule: 'scheduler-no-ui', rel: 'scheduler/api/x.ts', text: `import { NextResponse } from ${Q}next/server${Q};`, lines: [1] },
    { name: 'react in scheduler', rule: 'scheduler-no-ui', rel: 'scheduler/x.ts', text: `import type { FC } from ${Q}react${Q};`, lines: [1] },
    { name: 'app/ via @/', rule: 'scheduler-no-ui', rel: 'scheduler/api/x.ts', text: `const m = await import(${Q}@/app/jobs/page${Q});`, lines: [1] },
    { name: 'app/ via ../', rule: 'scheduler-no-ui', rel: 'scheduler/api/x.ts', text: `export * from ${Q}../../app/x${Q};`, lines: [1] },
    { name: 'a package named like next is fine', rule: 'scheduler-no-ui', rel: 'scheduler/x.ts', text: `import x from ${Q}next-tick${Q};`, lines: [] },
    { name: 'prisma outside adapters', rule: 'io-libs-in-adapters', rel: 'scheduler/api/x.ts', text: `import { PrismaClient } from ${Q}@prisma/client${Q};`, lines: [1] },
    { name: 'zookeeper in runtime', rule: 'io-libs-in-adapters', rel: 'scheduler/runtime/x.ts', text: `const zk = require(${Q}node-zookeeper-client${Q});`, lines: [1] },
    { name: 'protobufjs in app', rule: 'io-libs-in-adapters', rel: 'app/x.ts', text: `import pb from ${Q}protobufjs/minimal${Q};`, lines: [1] },
    { name: 'protobufjs in proto', rule: 'io-libs-in-adapters', rel: 'proto/mesos.ts', text: `import pb from ${Q}protobufjs${Q};`, lines: [] },
    { name: 'protobufjs in mesos-local', rule: 'io-libs-in-adapters', rel: 'mesos-local/x.ts', text: `import pb from ${Q}protobufjs${Q};`, lines: [] },
    { name: 'prisma in mesos-local', rule: 'io-libs-in-adapters', rel: 'mesos-local/x.ts', text: `import { PrismaClient } from ${Q}@prisma/client${Q};`, lines: [1] },
    { name: 'prisma in adapters', rule: 'io-libs-in-adapters', rel: 'scheduler/adapters/prisma/x.ts', text: `import { PrismaClient } from ${Q}@prisma/client${Q};`, lines: [] },
  ];

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const found = offences(rule(c.rule), [sample(c.rel, c.text)]);
    expect(found.map((o) => o.line)).toEqual(c.lines);
  });
});
