# syntax=docker/dockerfile:1.7
# Multi-stage build: cargo-chef caches dependencies, the runtime image holds one binary and runs as non-root.

FROM rust:1.95-bookworm AS chef
RUN cargo install cargo-chef --locked --version 0.1.78
WORKDIR /app

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
COPY --from=planner /app/recipe.json recipe.json
# The cooked dependencies stay in this layer (no cache mount on target/), so a source-only change
# rebuilds just the crate.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    cargo chef cook --release --locked --recipe-path recipe.json
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    cargo build --release --locked --bin seam-graphql \
    && strip target/release/seam-graphql \
    && cp target/release/seam-graphql /usr/local/bin/seam-graphql

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin seam
COPY --from=builder /usr/local/bin/seam-graphql /usr/local/bin/seam-graphql
USER 10001
ENV SEAM_GRAPHQL_LISTEN=0.0.0.0:8080 \
    RUST_LOG=seam_graphql=info
EXPOSE 8080
# The binary checks itself: no curl in the image.
HEALTHCHECK --interval=15s --timeout=5s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/seam-graphql", "healthcheck", "--url", "http://127.0.0.1:8080/healthz"]
# Same run command as README (`cargo run --release` runs this binary with no arguments).
ENTRYPOINT ["/usr/local/bin/seam-graphql"]
