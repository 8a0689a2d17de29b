# syntax=docker/dockerfile:1
#
# The `annals` binary in a slim image. `docker compose up --build` runs it on PostgreSQL
# (compose.yaml); alone, it serves the SQLite file /data/annals.db in the volume /data.

FROM rust:1-bookworm AS builder
WORKDIR /src
# npm, for build.rs to fetch the GraphiQL bundles by package name and version.
RUN apt-get update && apt-get install -y --no-install-recommends npm \
 && rm -rf /var/lib/apt/lists/*

# The workspace: the three crates, the dataset that src/dataset/mod.rs embeds with
# include_str!, and tests/ because Cargo.toml declares the `api` test target.
COPY Cargo.toml Cargo.lock build.rs schema.graphql ./
COPY entity/ entity/
COPY migration/ migration/
COPY src/ src/
COPY data/ data/
COPY tests/ tests/

# build.rs fetches GraphiQL and React with `npm pack` from npm's configured registry
# (sha512-checked). Without npm or its registry the build still succeeds and the image serves
# no IDE (production turns it off).
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    cargo build --release --locked --bin annals \
 && cp target/release/annals /usr/local/bin/annals

# No ca-certificates: the binary's TLS (PostgreSQL, `annals bench`) uses compiled-in
# webpki roots. No curl either, hence no HEALTHCHECK: probe GET /healthz and /readyz from
# outside.
FROM debian:bookworm-slim
RUN groupadd --system --gid 10001 annals \
 && useradd --system --uid 10001 --gid annals --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin annals \
 && mkdir /data \
 && chown annals:annals /data
COPY --from=builder /usr/local/bin/annals /usr/local/bin/annals
WORKDIR /data
ENV DATABASE_URL="sqlite:///data/annals.db?mode=rwc" \
    ANNALS_BIND="0.0.0.0:8000"
VOLUME /data
EXPOSE 8000
USER annals
ENTRYPOINT ["annals"]
CMD ["serve"]
