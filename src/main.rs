use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    merchant_bot::cli::main().await
}
