# syntax=docker/dockerfile:1
#
# eshikaku in a container:
#   docker build -t eshikaku .
#   docker run -it --rm eshikaku            # the study TUI
#   docker run --rm eshikaku run norm       # any subcommand
#
# Two stages. `build` compiles with the Rust toolchain; its dependency layer depends only on
# the manifests and the lock file, so editing a lesson or a source file recompiles just the two
# workspace crates, not every dependency. `runtime` holds only the binary (lessons, kernel
# sources and data are embedded in it) and runs as a non-root user.
# The `docker` kernel (`eshikaku run docker`) parses this file and simulates its build cache.

ARG RUST_VERSION=1.88
ARG DEBIAN_RELEASE=bookworm

FROM rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS build
WORKDIR /src

# 1. Dependencies: manifests, lock file and bench targets (cargo checks that declared targets
#    exist), then a build of stub crate roots. Cached until a manifest or Cargo.lock changes.
COPY Cargo.toml Cargo.lock ./
COPY kernels/Cargo.toml kernels/Cargo.toml
COPY kernels/benches kernels/benches
RUN mkdir -p src kernels/src \
 && echo 'fn main() {}' > src/main.rs \
 && touch src/lib.rs kernels/src/lib.rs \
 && cargo build --release --locked \
 && rm -rf src kernels/src

# 2. The sources (the `docker` kernel embeds this Dockerfile). COPY keeps the files'
#    modification times, which can be older than the stub build above; touching the crate roots
#    makes cargo rebuild the two workspace crates.
COPY Dockerfile ./
COPY kernels/data kernels/data
COPY kernels/src kernels/src
COPY content content
COPY src src
RUN touch src/main.rs src/lib.rs kernels/src/lib.rs \
 && cargo build --release --locked \
 && cp target/release/eshikaku /usr/local/bin/eshikaku

FROM debian:${DEBIAN_RELEASE}-slim AS runtime
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin learner
COPY --from=build /usr/local/bin/eshikaku /usr/local/bin/eshikaku
USER learner
WORKDIR /home/learner
ENV LANG=C.UTF-8
ENTRYPOINT ["eshikaku"]
