# syntax=docker/dockerfile:1.7
# botfleet server image: multi-stage, non-root, small runtime.
#   docker build -t botfleet .
#   docker run -p 8080:8080 -e BOTFLEET_JWT_SECRET=... -e BOTFLEET_ENCRYPTION_KEY=... botfleet

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
# Cache the registry and the target dir between builds (BuildKit).
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p botfleet-api --bin botfleet \
 && install -D -m 0755 target/release/botfleet /out/botfleet

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 botfleet \
 && useradd --system --uid 10001 --gid botfleet --home-dir /var/lib/botfleet --shell /usr/sbin/nologin botfleet \
 && install -d -o botfleet -g botfleet -m 0750 /var/lib/botfleet
COPY --from=build /out/botfleet /usr/local/bin/botfleet
USER botfleet:botfleet
WORKDIR /var/lib/botfleet
ENV BOTFLEET_HTTP_ADDR=0.0.0.0:8080 \
    BOTFLEET_DATA_DIR=/var/lib/botfleet \
    BOTFLEET_LOG_FORMAT=json
EXPOSE 8080
VOLUME ["/var/lib/botfleet"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/botfleet"]
