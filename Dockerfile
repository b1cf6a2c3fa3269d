# fin-hub: multi-stage build, production dependencies only, non-root. Untested here (no Docker engine on the build machine).
# Node 24: an LTS line maintained to April 2028 (Node 20 reached its end of life in April 2026).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
# The build bundles the command (scripts/build-bundle.ts), builds the dashboard (dashboard/) and
# leaves an initialised embedded database (dist/pglite-seed-*) for first starts.
COPY dashboard ./dashboard
COPY scripts ./scripts
RUN npm run build

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
# The embedded database (used when DATABASE_URL is unset) lives in FIN_HUB_HOME.
ENV FIN_HUB_HOME=/data
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.FIN_HUB_PORT || 8000) + '/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
ENTRYPOINT ["node", "dist/bin/fin-hub.js"]
CMD ["serve"]
