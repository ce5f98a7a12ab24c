# The build stage the agent, gateway and pool-manager images share: every workspace's manifest,
# `npm ci` (all dependencies, build tools included), and the libraries every service builds on
# (proto, config, contract, telemetry), compiled. `npm run images` builds it first as
# warmgate/build:<tag> and passes it to the three Dockerfiles as BUILD_IMAGE; by hand:
#   docker build [--build-arg BASE_IMAGE=...] -f scripts/build-stage.Dockerfile -t warmgate/build:dev .
# Each service's Dockerfile then adds its own folder, compiles it, and gathers only its own
# production dependencies (scripts/image-app.js).

ARG BASE_IMAGE=node:22-bookworm-slim
FROM ${BASE_IMAGE}
WORKDIR /src
# Manifests first, so the dependency layer is cached across source changes.
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY proto/package.json proto/
COPY config/package.json config/
COPY testkit/package.json testkit/
COPY contract/package.json contract/
COPY telemetry/package.json telemetry/
COPY agent/package.json agent/
COPY pool-manager/package.json pool-manager/
COPY gateway/package.json gateway/
COPY stack/package.json stack/
COPY loadtest/package.json loadtest/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY proto proto
COPY config config
COPY contract contract
COPY telemetry telemetry
COPY scripts/image-app.js scripts/
RUN npx tsc -b proto config contract telemetry
