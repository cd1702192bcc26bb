import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalWorld, type LocalWorld } from '../../support/local-world.js';

/**
 * The TypeScript examples of the client's README and of the repository's "Use it" compile as they
 * are written, and the client README's first one runs.
 */

const tsBlocks = (text: string) => [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const examples = tsBlocks(readFileSync('clients/typescript/README.md', 'utf8'));
const useIt = tsBlocks(/\n## Use it\n([\s\S]*?)\n## /.exec(readFileSync('README.md', 'utf8'))![1]!);

describe('the READMEs\' TypeScript examples', () => {
  mkdirSync(join('node_modules', '.cache'), { recursive: true });
  const dir = mkdtempSync(join('node_modules', '.cache', 'client-readme-'));
  writeFileSync(join(dir, 'package.json'), '{"type": "module"}');
  let world: LocalWorld;
  beforeAll(async () => {
    world = await startLocalWorld();
  });
  afterAll(async () => {
    await world.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has the create → wait → outputs → delete example and the cloud one, and they compile (strict) with the repository README\'s', () => {
    expect(examples).toHaveLength(2);
    expect(useIt).toHaveLength(1);
    const files = [...examples, ...useIt].map((code, i) => {
      const file = join(dir, `example-${i}.ts`);
      writeFileSync(file, `${code}\nexport {};\n`);
      return file;
    });
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true, noUncheckedIndexedAccess: true, skipLibCheck: true, noEmit: true, types: ['node'],
    });
    expect(ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  });

  it('the first example runs against a local server, printing progress and the get-credentials line', async () => {
    const file = join(dir, 'run.ts');
    writeFileSync(file, examples[0]!.replace('http://127.0.0.1:8080', world.baseUrl));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], { timeout: 60_000 });
    const lines = stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('gcloud container clusters get-credentials demo-saxml-gke-cluster --region us-west1 --project my-project-1');
    expect(lines.some((l) => /base \d+\/\d+/.test(l))).toBe(true);
    const listed = (await (await world.request('/environments')).json()) as { environments: { state: string }[] };
    expect(listed.environments.map((e) => e.state)).toEqual(['DELETED']);
  });
});
