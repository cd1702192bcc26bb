# syntax=docker/dockerfile:1
# Container for Cloud Run: PROFILE=cloud (Firestore, Cloud Workflows, Google APIs). Cloud Run sets
# PORT (8080); the server listens on it.

# The runtime's V8 heap flags (see the runtime stage). Also the flags the build makes the code cache
# under: V8 refuses a cache made under other flags.
ARG RUNTIME_NODE_OPTIONS="--max-old-space-size=96 --max-semi-space-size=2"

# ---- toolchain: Node plus what node-gyp needs -------------------------------------------------
# better-sqlite3 is a native *production* dependency (the embedded store). prebuild-install takes a
# prebuilt binary when one is reachable; otherwise node-gyp compiles it, which needs python3, make
# and g++. Both install stages start here so that either path works, and the compilers never reach
# the runtime image.
FROM node:22-bookworm-slim AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The client package is a workspace of the repository (the saxenv CLI builds on it): npm needs its
# manifest to install the lockfile's tree.
COPY package.json package-lock.json ./
COPY clients/typescript/package.json ./clients/typescript/

# ---- prod-deps: exactly the lockfile's production tree ------------------------------------------
# A separate `npm ci --omit=dev` (rather than pruning the build tree) gives a node_modules with no
# dev leftovers, built on the same base image as the runtime stage, so the native module matches
# its Node ABI and glibc. BuildKit runs this stage in parallel with `build`.
FROM toolchain AS prod-deps
RUN npm ci --omit=dev

# ---- build: bundle api/ into dist/ (esbuild, see api/scripts/build.ts) ---------------------------
# `build -- service`: the service alone (the saxenv CLI is not part of the image). The build starts
# the bundled service once (local profile, a throw-away data folder) to make dist/service.cjs.cache,
# the V8 code cache it starts from, under the runtime's flags.
FROM toolchain AS build
ARG RUNTIME_NODE_OPTIONS
RUN npm ci
COPY tsconfig.json ./
COPY api ./api
RUN NODE_OPTIONS="$RUNTIME_NODE_OPTIONS" npm run build -- service

# ---- runtime ------------------------------------------------------------------------------------
FROM node:22-bookworm-slim AS runtime
ARG RUNTIME_NODE_OPTIONS
# A small, stateless service: a capped heap and a small young generation keep RSS near 100 MB
# under load (measured by `npm run bench`, which reads these two settings from here); to change
# the heap flags, build with --build-arg RUNTIME_NODE_OPTIONS=… (a NODE_OPTIONS set at run time
# would make V8 refuse the code cache: slower cold starts). MALLOC_ARENA_MAX: glibc gives each
# thread that allocates (libuv's pool, V8's workers) a malloc arena of its own, and the memory they
# free stays spread over them; two arenas hold about 4 MB less after the benchmark's load, at no
# measurable cost.
ENV NODE_ENV=production \
    PROFILE=cloud \
    NODE_OPTIONS="$RUNTIME_NODE_OPTIONS" \
    MALLOC_ARENA_MAX=2
WORKDIR /app
# Files stay owned by root and read-only to the `node` user: the process cannot rewrite its code.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# openapi.yaml is not copied: the service generates the document from its routes (a test keeps the
# committed file equal to it).
COPY package.json ./
COPY workflows ./workflows
USER node
EXPOSE 8080
CMD ["node", "dist/server.js"]
