# syntax=docker/dockerfile:1
# The GPU worker image: CUDA 11.2 and cuDNN 8 (what @tensorflow/tfjs-node-gpu 4.x's TensorFlow
# is built against) with Node 20 and @tensorflow/tfjs-node-gpu, and Python 3 with PyTorch for
# `command` trainers (a user's program that prints one JSON line per eval). Needs the NVIDIA
# container runtime on the host. Build from the repository root:
#   docker build -f docker/gpu.Dockerfile -t curfew-gpu .
FROM nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04
ARG NODE_VERSION=20.20.2
ARG TORCH_VERSION=2.4.1
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl xz-utils python3 python3-pip make g++ \
 && rm -rf /var/lib/apt/lists/*
RUN curl -fsSL "https://nodejs.org/dist/v${NODE_VERSION}/node-v${NODE_VERSION}-linux-x64.tar.xz" \
  | tar -xJ -C /usr/local --strip-components=1 \
 && npm install -g npm@11.19.1
# PyTorch wheels carry their own CUDA runtime (cu118 needs an NVIDIA driver >= 520).
RUN python3 -m pip install --no-cache-dir "torch==${TORCH_VERSION}" --index-url https://download.pytorch.org/whl/cu118
WORKDIR /app
COPY . .
# Allow tfjs-node-gpu's install script (it fetches TensorFlow's GPU library); the CPU package
# goes. (Its backend loads only where a GPU driver is: not while building.)
RUN printf 'allow-scripts=@tensorflow/tfjs-node-gpu\n' > .npmrc \
 && npm ci --omit=dev \
 && rm -rf node_modules/@tensorflow/tfjs-node \
 && test -d node_modules/@tensorflow/tfjs-node-gpu
RUN useradd --system --uid 10001 --home-dir /var/lib/curfew curfew \
 && mkdir -p /var/lib/curfew /artifacts \
 && chown curfew /var/lib/curfew /artifacts
USER curfew
ENV NODE_ENV=production CURFEW_HOME=/var/lib/curfew CURFEW_ARTIFACTS=/artifacts CURFEW_BACKEND=node-gpu
VOLUME ["/artifacts"]
ENTRYPOINT ["node", "apps/cli/bin/curfew.mjs"]
CMD ["worker"]
