# syntax=docker/dockerfile:1
# The one Hoist image: `hoist` (operator, CLI; later the backup agent and the web UI, all subcommands of
# the same binary) and `kubectl-hoist`, the same file under the kubectl plugin's name.
#
#   docker build -t ghcr.io/hoist-dev/hoist:0.1.0 .
#
# Stage 1 builds a release binary against glibc; stage 2 is distroless/cc (glibc, libgcc, CA
# certificates, tzdata; no shell, no package manager) running as the numeric non-root user 65532.
# glibc rather than a static musl binary because aws-lc-rs (TLS and Sprig's crypto functions) builds C
# code whose musl build needs a cross toolchain, and musl's allocator is markedly slower for the
# renderer's allocation pattern; distroless/cc adds about 20 MB over `static`. The expected image size
# is documented in docs/install.md.

ARG RUST_VERSION=1.95
ARG DEBIAN_RELEASE=bookworm

FROM docker.io/library/rust:${RUST_VERSION}-${DEBIAN_RELEASE} AS builder
WORKDIR /src
# cmake and clang are what aws-lc-sys's build script may use; the rust image has gcc and make.
RUN apt-get update \
    && apt-get install -y --no-install-recommends cmake clang \
    && rm -rf /var/lib/apt/lists/*
COPY . .
# The cache mounts keep the registry and target directory between builds (BuildKit); the binary is
# copied out of the cached target directory because the mount is not part of the layer.
# debug=0 overrides the workspace's `debug = 1` (kept for profiling) to keep the image small;
# strip removes the symbol table as well.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_PROFILE_RELEASE_STRIP=symbols \
    cargo build --release --locked -p hoist --bin hoist \
    && mkdir -p /out/bin \
    && cp target/release/hoist /out/bin/hoist \
    && ln -s hoist /out/bin/kubectl-hoist

FROM gcr.io/distroless/cc-debian12:nonroot
LABEL org.opencontainers.image.title="hoist" \
      org.opencontainers.image.description="Hoist: Kubernetes middleware operator and kubectl-hoist" \
      org.opencontainers.image.source="https://github.com/hoist-dev/hoist" \
      org.opencontainers.image.licenses="Apache-2.0"
# Copying the directory keeps kubectl-hoist a symlink (one file in the image).
COPY --from=builder /out/bin/ /usr/local/bin/
# 65532 is distroless's "nonroot"; numeric so that runAsNonRoot can be verified by the kubelet.
USER 65532:65532
# The platform chart mounts an emptyDir here (the root filesystem is read-only).
VOLUME ["/var/cache/hoist"]
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/hoist"]
CMD ["operator"]
