# syntax=docker/dockerfile:1
# The app image: the compiled API (dist/) and the static web build on one port.
# Debian (glibc) rather than Alpine: @node-rs/argon2 and the build's rolldown ship prebuilt
# binaries for both, but glibc is what the lockfile's CI and tests run on; PGlite is wasm.
ARG NODE_IMAGE=node:22-bookworm-slim

# 1. Everything needed to type-check and build.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# db/patches before npm ci: its postinstall applies them (patch-package).
COPY package.json package-lock.json ./
COPY db/patches ./db/patches
RUN npm ci --no-audit --no-fund
COPY . .
# Type check (tsc), compile the server into dist/ (esbuild), build the web app (vite).
RUN npm run build

# 2. Production dependencies only.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY db/patches ./db/patches
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 3. What runs: no compiler, no dev dependencies, not root.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0
WORKDIR /app
# package.json says "type": "module" for dist/*.js.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/build ./web/build
COPY db/migrations ./db/migrations
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node itself is PID 1 (exec form, no shell): `docker stop`'s SIGTERM reaches the primary,
# which drains its API processes and exits 0 (server/src/server.ts). Compose adds an init
# (init: true) to reap any stray child. Migrations: `node dist/migrate.js` (compose's
# migrate service); the server also applies pending ones at start, under the same lock.
# A 64 MB young generation (server.ts gives the same to cluster workers): see npm run bench.
CMD ["node", "--max-semi-space-size=64", "dist/server.js"]
