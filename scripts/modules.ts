/**
 * The module graph, drawn from the code by dependency-cruiser, and its rules (issue 15):
 *  - outside a module, code imports it only through its `index.ts` (`routes.ts` only from the
 *    composition root `src/app.ts`; a `schema.ts` may import another module's `schema.ts` for
 *    its foreign keys, so drizzle-kit can read the schema files alone);
 *  - modules point one way: no loop in the module-to-module graph;
 *  - modules never import `src/flows/` (the processes over several modules sit above them all).
 *
 *   npx tsx scripts/modules.ts          check (a step of `npm test`; exit 1 on a violation)
 *   npx tsx scripts/modules.ts --docs   also write the graph (Mermaid) into docs/architecture.md
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cruise, type ICruiseResult, type IModule } from 'dependency-cruiser';

const root = path.join(import.meta.dirname, '..');
const docsFile = path.join(root, 'docs', 'architecture.md');

/** The module (`modules/<name>`), `flows`, or the other top-level part a source file belongs to. */
export function partOf(file: string): string | null {
  const m = /^src\/modules\/([^/]+)\//.exec(file);
  if (m) return m[1]!;
  if (file.startsWith('src/flows/')) return 'flows';
  return null;
}

const isTest = (file: string) => /\.test\.ts$/.test(file) || file.startsWith('src/test/');

export async function cruiseSource(): Promise<ICruiseResult> {
  const result = await cruise(
    ['src'],
    {
      tsConfig: { fileName: path.join(root, 'tsconfig.json') },
      doNotFollow: { path: 'node_modules' },
      exclude: { path: '\\.d\\.ts$' },
      tsPreCompilationDeps: true,
      validate: false,
    },
    undefined,
    undefined,
  );
  if (typeof result.output === 'string') throw new Error('dependency-cruiser answered text, not a result');
  return result.output;
}

export interface ModuleGraph {
  /** module → modules it imports (non-test code). */
  edges: Map<string, Set<string>>;
  /** `from → to` imports that reach past a module's index.ts. */
  pastIndex: string[];
  /** `from → to` imports of `src/flows/` by a module's (non-test) code. */
  intoFlows: string[];
}

export function moduleGraph(modules: IModule[]): ModuleGraph {
  const edges = new Map<string, Set<string>>();
  const pastIndex: string[] = [];
  const intoFlows: string[] = [];
  for (const mod of modules) {
    const from = mod.source;
    const fromPart = partOf(from);
    if (fromPart && !edges.has(fromPart) && fromPart !== 'flows') edges.set(fromPart, new Set());
    for (const dep of mod.dependencies) {
      const to = dep.resolved;
      const toPart = partOf(to);
      if (toPart === 'flows' && fromPart && fromPart !== 'flows' && !isTest(from)) intoFlows.push(`${from} → ${to}`);
      if (!toPart || toPart === 'flows' || toPart === fromPart) continue;
      // A table's foreign keys name the other module's table: schema.ts may import schema.ts
      // (drizzle-kit reads schema files alone, without the modules' services).
      const surface =
        to === `src/modules/${toPart}/index.ts` ||
        (from === 'src/app.ts' && to === `src/modules/${toPart}/routes.ts`) ||
        (from === `src/modules/${fromPart}/schema.ts` && to === `src/modules/${toPart}/schema.ts`);
      if (!surface) pastIndex.push(`${from} → ${to}`);
      if (fromPart && fromPart !== 'flows' && !isTest(from)) edges.get(fromPart)!.add(toPart);
    }
  }
  return { edges, pastIndex, intoFlows };
}

/** Strongly connected components with more than one module (Tarjan). */
export function loops(edges: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

/** The edges inside loops, as `from → to`. */
export function loopEdges(edges: Map<string, Set<string>>): string[] {
  const out: string[] = [];
  for (const scc of loops(edges)) {
    const inScc = new Set(scc);
    for (const from of scc) for (const to of edges.get(from) ?? []) if (inScc.has(to)) out.push(`${from} → ${to}`);
  }
  return out.sort();
}

/** The module graph as a Mermaid flowchart (edges in a loop drawn dashed). */
export function mermaid(edges: Map<string, Set<string>>): string {
  const inLoop = new Set(loopEdges(edges));
  const lines = ['```mermaid', 'flowchart BT'];
  for (const from of [...edges.keys()].sort()) {
    for (const to of [...edges.get(from)!].sort()) lines.push(`  ${from} ${inLoop.has(`${from} → ${to}`) ? '-.->' : '-->'} ${to}`);
  }
  lines.push('```');
  return lines.join('\n');
}

const START = '<!-- modules:start -->';
const END = '<!-- modules:end -->';

export function withModuleDocs(doc: string, edges: Map<string, Set<string>>): string {
  const i = doc.indexOf(START);
  const j = doc.indexOf(END);
  if (i < 0 || j < i) throw new Error(`docs/architecture.md needs ${START} … ${END}`);
  return `${doc.slice(0, i + START.length)}\n${mermaid(edges)}\n${doc.slice(j)}`;
}

async function main(): Promise<void> {
  const { edges, pastIndex, intoFlows } = moduleGraph((await cruiseSource()).modules);
  const problems: string[] = [];
  for (const p of pastIndex) problems.push(`imports past the module's index.ts: ${p}`);
  for (const p of intoFlows) problems.push(`a module imports a flow (flows sit above all modules): ${p}`);
  const now = loopEdges(edges);
  for (const e of now) problems.push(`a module loop edge: ${e} (the module graph must point one way: docs/architecture.md, Module order)`);
  const before = readFileSync(docsFile, 'utf8');
  const after = withModuleDocs(before, edges);
  if (after !== before) {
    if (process.argv.includes('--docs')) writeFileSync(docsFile, after);
    else problems.push('the module graph in docs/architecture.md is out of date: run npx tsx scripts/modules.ts --docs');
  }
  const count = [...edges.values()].reduce((n, s) => n + s.size, 0);
  console.log(`modules: ${edges.size}, module edges: ${count}, edges in loops: ${now.length}, largest loop: ${Math.max(0, ...loops(edges).map((l) => l.length))}`);
  if (problems.length > 0) {
    for (const p of problems) console.error(`✖ ${p}`);
    process.exit(1);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) await main();
