# syntax=docker/dockerfile:1
# curfew on Node 20 with @tensorflow/tfjs-node (TensorFlow's native CPU backend): the CPU worker
# image, which the scheduler and the dashboard use too. Build from the repository root:
#   docker build -f docker/cpu.Dockerfile -t curfew-cpu .
ARG NODE_VERSION=20.20.2

FROM node:${NODE_VERSION}-bookworm-slim AS build
# In case a native module has no prebuilt binary for this platform and builds from source.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# The npm the repository pins (package.json "packageManager").
RUN npm install -g npm@11.19.1
WORKDIR /app
COPY . .
# npm 11 runs no dependency's install script unless allowed: allow tfjs-node's (it fetches the
# TensorFlow library), drop the GPU package this image cannot use, and check the backend loads.
RUN printf 'allow-scripts=@tensorflow/tfjs-node\n' > .npmrc \
 && npm ci --omit=dev \
 && rm -rf node_modules/@tensorflow/tfjs-node-gpu \
 && node -e "require('@tensorflow/tfjs-node')"

FROM node:${NODE_VERSION}-bookworm-slim
WORKDIR /app
COPY --from=build /app /app
RUN useradd --system --uid 10001 --home-dir /var/lib/curfew curfew \
 && mkdir -p /var/lib/curfew /artifacts \
 && chown curfew /var/lib/curfew /artifacts
USER curfew
ENV NODE_ENV=production CURFEW_HOME=/var/lib/curfew CURFEW_ARTIFACTS=/artifacts
VOLUME ["/artifacts"]
ENTRYPOINT ["node", "apps/cli/bin/curfew.mjs"]
CMD ["worker"]
