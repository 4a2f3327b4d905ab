# merchant-bot: a small runtime image running as a non-root user.
#
#   docker build -t merchant-bot .
#   docker run --env-file bot.env merchant-bot
#
# Queries are plain runtime SQL (tested against PostgreSQL) and the migrations are
# embedded with sqlx::migrate!, so the build needs no database: SQLX_OFFLINE is set
# to make sure it never tries to reach one.

FROM rust:1.95-slim-bookworm AS build
ENV SQLX_OFFLINE=true CARGO_TERM_COLOR=never
WORKDIR /src

# 1. Dependencies only, in their own layer: rebuilt when Cargo.toml or Cargo.lock change,
#    not when the code does.
COPY Cargo.toml Cargo.lock ./
RUN mkdir src \
 && echo 'fn main() {}' > src/main.rs \
 && touch src/lib.rs \
 && cargo build --release --locked \
 && rm -rf src target/release/deps/merchant_bot* target/release/deps/libmerchant_bot* \
           target/release/merchant-bot target/release/.fingerprint/merchant-bot-*

# 2. The bot itself.
COPY migrations migrations
COPY locales locales
COPY src src
RUN cargo build --release --locked && cp target/release/merchant-bot /merchant-bot

# Runtime: glibc and libgcc only (TLS is rustls with its own roots), no shell, uid 65532.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /merchant-bot /usr/local/bin/merchant-bot
USER nonroot:nonroot
ENV RUST_LOG=info LISTEN_ADDR=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/merchant-bot"]
CMD ["run"]
