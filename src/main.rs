//! fmc-mgmt command line. On this branch only the `probe` subcommand; the server's CLI
//! lives on `main` and dispatches to [`fmc_mgmt::probe::cli::main`] the same way.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "fmc-mgmt",
    version,
    about = "FMC management interfaces and outbound proxy probe"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Test the way out through an HTTP proxy, stage by stage (like curl -x … -I).
    Probe(fmc_mgmt::probe::cli::ProbeArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Probe(args) => fmc_mgmt::probe::cli::main(args).await,
    }
}
