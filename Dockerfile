# syntax=docker/dockerfile:1.7
#
# Image of the `pge` binary: a static musl executable on distroless/static (CA
# certificates, /etc/passwd with the `nonroot` user, no shell, no package manager).
# Build:  docker build -t pge:dev .      (or buildah / kaniko in CI, see .gitlab-ci.yml)
# Run:    the entrypoint is `pge`; the command picks the subcommand (`serve` by
#         default, `worker`, `migrate`). The root filesystem can be mounted read-only.
#
# Kubernetes probes /healthz and /readyz over HTTP and the image has no shell or
# client to run a Docker HEALTHCHECK with, so none is declared.
# checkov:skip=CKV_DOCKER_2:No shell or HTTP client in a distroless image; Kubernetes liveness/readiness probes hit /healthz and /readyz instead.

FROM rust:1.95-alpine AS builder

# aws-lc-sys (TLS of the AWS SDK), ring and the bundled SQLite are compiled from C: gcc
# comes with the image, the musl headers from musl-dev and the kernel headers that
# aws-lc's entropy source includes (linux/random.h) from linux-headers. Alpine's
# repository only keeps the current revision of a package, so pinning it would break
# the build at the next security update.
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev linux-headers

WORKDIR /src
COPY . .

# The cache mounts keep the crates.io registry and the target directory between builds
# (BuildKit, buildah); the binary is copied out of the cached target in the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p pge-api --bin pge --target x86_64-unknown-linux-musl \
    && install -D -m 0755 target/x86_64-unknown-linux-musl/release/pge /out/pge

FROM gcr.io/distroless/static-debian12:nonroot

LABEL org.opencontainers.image.title="pge" \
      org.opencontainers.image.description="Loan guarantee platform API, outbox worker and migrations" \
      org.opencontainers.image.licenses="EUPL-1.2"

COPY --from=builder /out/pge /usr/local/bin/pge

ENV PGE_ENV=production \
    PGE_LISTEN_ADDR=0.0.0.0:8080 \
    PGE_LOG_FORMAT=json

# 65532 is distroless' `nonroot` user and group.
USER 65532:65532
# The API, its probes and (inside the cluster) /metrics share one port.
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/pge"]
CMD ["serve"]
