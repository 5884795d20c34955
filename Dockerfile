# syntax=docker/dockerfile:1.7
#
# Image of the `pge` binary: one static executable (glibc linked in) on `scratch`, with a
# CA bundle, /etc/passwd naming the non-root user 65532, the built web app under
# /usr/share/pge/web (PGE_WEB_DIR: `pge serve` serves it) and nothing else: no shell, no
# package manager, no libc to patch. scripts/image-rootfs.sh lays out those files.
# Build:  docker build -t pge:dev .      (or buildah / kaniko in CI, see .gitlab-ci.yml)
# Run:    the entrypoint is `pge`; the command picks the subcommand (`serve` by
#         default, `worker`, `migrate`). The root filesystem can be mounted read-only.
# Without a container engine, scripts/image.sh assembles and measures the same image
# from scripts/release-build.sh's output (scripts/bench.sh does both).
#
# Kubernetes probes /healthz and /readyz over HTTP and the image has no shell or
# client to run a Docker HEALTHCHECK with, so none is declared.
# checkov:skip=CKV_DOCKER_2:No shell or HTTP client in a scratch image; Kubernetes liveness/readiness probes hit /healthz and /readyz instead.

# The web app (web/, Vite + React): installed from its lock file and built. Only its
# dist (static files, no Node) reaches the image. The build is reproducible: the same
# commit gives the same content-hashed files as GitLab's build-web job uploads to S3.
FROM node:20-bookworm-slim AS web

WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build && test -s dist/index.html

# Debian bookworm, like the machines that benchmark the binary: gcc and glibc's static
# libraries (libc6-dev) and the CA bundle come with the image; the bundled SQLite and ring
# are compiled from C with that gcc.
FROM rust:1.95-slim-bookworm AS builder

WORKDIR /src
COPY . .
COPY --from=web /web/dist/ /src/web/dist/

# The cache mounts keep the crates.io registry and the target directory between builds
# (BuildKit, buildah); the binary is copied out of the cached target in the same step.
# scripts/release-build.sh: `cargo build --release --locked -p pge-api --bin pge` for
# x86_64-unknown-linux-gnu with `+crt-static`, then the image's files under /out/rootfs,
# the web app's dist included (WEB_DIST, read by scripts/image-rootfs.sh).
# PGE_COMMIT (the pipeline passes the commit) is compiled into pge_build_info.
ARG PGE_COMMIT=unknown
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    PGE_COMMIT="$PGE_COMMIT" WEB_DIST=/src/web/dist scripts/release-build.sh /out

FROM scratch

LABEL org.opencontainers.image.title="pge" \
      org.opencontainers.image.description="Loan guarantee platform API and web app, outbox worker and migrations" \
      org.opencontainers.image.licenses="EUPL-1.2"

COPY --from=builder /out/rootfs/ /

ENV PGE_ENV=production \
    PGE_LISTEN_ADDR=0.0.0.0:8080 \
    PGE_WEB_DIR=/usr/share/pge/web \
    PGE_METRICS_ADDR=0.0.0.0:9090 \
    PGE_LOG_FORMAT=json

# 65532 is the `nonroot` user and group of the image's /etc/passwd and /etc/group.
USER 65532:65532
# The API and its probes on 8080; /metrics on a listener of its own on 9090, which the
# Helm chart opens to the monitoring namespace only.
EXPOSE 8080 9090
ENTRYPOINT ["/usr/local/bin/pge"]
CMD ["serve"]
