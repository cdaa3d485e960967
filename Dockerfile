# syntax=docker/dockerfile:1
# The Account Overview service (`account-overview-server`) as a container image.
#
#   docker build -t account-overview .                       # from the repository's root
#   docker run -p 3000:3000 -v ao-data:/data -e ADMIN_TOKEN=… account-overview
#   docker run … account-overview migrate                    # any command of the server
#
# Two stages: `build` installs the workspace (frozen lockfile), builds the service and what it
# depends on, and deploys @account-overview/http with its production dependencies alone into
# /out; `runtime` is Node.js with /out, run as the unprivileged `node` user, listening on
# 0.0.0.0:3000, with its data (the SQLite file unless DATABASE_URL names PostgreSQL) in the
# volume /data, and a health check on /readyz. scripts/check-deployment.mjs checks this
# structure in CI, and builds and runs the image where a container engine answers.

ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm-slim AS build
ENV CI=true
RUN npm install --global pnpm@10.34.9
WORKDIR /repo
# The lockfile alone first: the dependencies are fetched once for as long as it does not change.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch
COPY . .
RUN pnpm install --frozen-lockfile --offline
RUN pnpm exec turbo run build --filter=@account-overview/http... --output-logs=errors-only
RUN pnpm --filter @account-overview/http deploy --prod --legacy /out

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
# The service's files stay root's, read-only to the user that runs it; only /data is its own.
COPY --from=build /out ./
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains the service (requests in flight finish, up to SHUTDOWN_TIMEOUT_MS), then exit 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/account-overview-server.mjs"]
CMD ["serve"]
