import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

/**
 * The production entry (`dist/server.js`): runs the service, bundled as one CommonJS script
 * (`dist/service.cjs`), through V8 with the code cache made at build time
 * (`dist/service.cjs.cache`, api/scripts/build.ts). With the cache V8 neither parses nor compiles
 * what start-up runs, which is most of the start-up time a bundle of ES modules spends
 * (README › Benchmarks); Node 20 offers no code cache for ES modules.
 *
 * The cache is only read here, never written at run time: it is code V8 trusts, and the image
 * keeps its files read-only to the process. `CODE_CACHE=write` (the build's warm-up start) makes
 * this process write it when SIGTERM stops it. V8 refuses a cache made by another Node or under
 * other V8 flags (the heap flags in NODE_OPTIONS count); the service then starts without it,
 * slower, and says so once.
 */
const here = dirname(fileURLToPath(import.meta.url));
const file = join(here, 'service.cjs'); // SERVICE_SCRIPT in api/scripts/build.ts

/** Compiles the script (from the cache when V8 takes it); a function so that the cache's bytes are not kept. */
function compile(): vm.Script {
  const cacheFile = `${file}.cache`;
  const writing = process.env.CODE_CACHE === 'write';
  const cachedData = !writing && existsSync(cacheFile) ? readFileSync(cacheFile) : undefined;
  // The wrapper Node gives a CommonJS module (written out: `module.wrap` is not public API), strict
  // as the ES modules it was bundled from: the script's own "use strict" comes after its banner.
  const source = `(function (exports, require, module, __filename, __dirname) {'use strict';${readFileSync(file, 'utf8')}\n})`;
  const script = new vm.Script(source, {
    filename: file,
    cachedData,
    // The bundle loads its external packages with require(); an import() left in it uses Node's own loader.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (cachedData && script.cachedDataRejected) {
    process.emitWarning(`${cacheFile} was made by another Node or under other V8 flags: starting without it`, { code: 'SAXML_CODE_CACHE_REJECTED' });
  }
  if (writing) {
    // When the warm-up stops it, so that it holds what start-up and the warm-up's requests compiled.
    process.once('SIGTERM', () => {
      writeFileSync(cacheFile, script.createCachedData());
      process.exit(0);
    });
  }
  return script;
}

const module = { exports: {} };
(compile().runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, createRequire(file), module, file, here);
