# merchant-bot: a small runtime image running as a non-root user.
#
#   docker build -t merchant-bot .
#   docker run --rm merchant-bot keygen > master.key && chmod 644 master.key
#   docker run --env-file bot.env -e MASTER_KEY_FILE=/run/secrets/master_key \
#              -v "$PWD/master.key:/run/secrets/master_key:ro" merchant-bot
#
# The queries checked at compile time use the committed .sqlx/ data and the migrations
# are embedded with sqlx::migrate!, so the build needs no database: SQLX_OFFLINE is set
# to make sure it never tries to reach one.
#
# No container engine runs where this project is developed: `.ci/docker-replay` runs this
# build stage's COPY and RUN steps as written, in a temporary folder, on every CI run.

FROM rust:1.95-slim-bookworm AS build
ENV SQLX_OFFLINE=true CARGO_TERM_COLOR=never
WORKDIR /src

# 1. Dependencies only, in their own layer: rebuilt when Cargo.toml or Cargo.lock change,
#    not when the code does. Every target the manifest declares (the binary, the library,
#    the benchmark programs) gets an empty stand-in so that cargo accepts the manifest.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src benches \
 && echo 'fn main() {}' > src/main.rs \
 && touch src/lib.rs \
 && for bench in $(awk '/^\[/ { in_bench = ($0 == "[[bench]]") } in_bench && $1 == "name" { gsub(/"/, "", $3); print $3 }' Cargo.toml); do echo 'fn main() {}' > "benches/$bench.rs"; done \
 && cargo build --release --locked --bin merchant-bot \
 && rm -rf src benches target/release/deps/merchant_bot* target/release/deps/libmerchant_bot* \
           target/release/merchant-bot target/release/.fingerprint/merchant-bot-*

# 2. The bot itself (the benchmark programs are copied so the manifest stays valid).
COPY migrations migrations
COPY .sqlx .sqlx
COPY locales locales
COPY benches benches
COPY src src
RUN cargo build --release --locked --bin merchant-bot

# Runtime: glibc and libgcc only (TLS is rustls with its own roots), no shell, uid 65532.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/merchant-bot /usr/local/bin/merchant-bot
USER nonroot:nonroot
ENV RUST_LOG=info LISTEN_ADDR=0.0.0.0:8080 LOG_FORMAT=plain
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/merchant-bot", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/merchant-bot"]
CMD ["run"]
