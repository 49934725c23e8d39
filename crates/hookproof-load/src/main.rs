//! hookproof's load generator, out of `benches/` so that `cargo test
//! --benches` never builds or runs it and CI's target stays small.
//!
//! ```text
//! cargo run --release -p hookproof-load -- [axum] [actix] [tower]   # adapters under wrk (all when none named)
//! cargo run --release -p hookproof-load -- inbox                    # inbox acknowledgement throughput
//! ```
//!
//! `scripts/load.sh` installs `wrk` if missing and runs the first. Both
//! serve on `127.0.0.1` only and load only that address, with loops bounded
//! in count and time, and report each ratio against a baseline measured in
//! the same run: the adapters against the same framework unverified, the
//! inbox against in-memory replay protection.

use std::process::ExitCode;

mod inbox;
mod wrk;

#[allow(dead_code, unreachable_pub)]
#[path = "../../hookproof-inbox/tests/postgres_server/mod.rs"]
mod postgres_server;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(unknown) = args.iter().find(|arg| !["axum", "actix", "tower", "inbox"].contains(&arg.as_str())) {
        eprintln!("error: unknown argument `{unknown}`");
        eprintln!("usage: hookproof-load [axum] [actix] [tower]  (the adapters under wrk; all when none is named)");
        eprintln!("       hookproof-load inbox                   (inbox acknowledgement throughput)");
        return ExitCode::from(2);
    }
    if args.iter().any(|arg| arg == "inbox") {
        if args.len() > 1 {
            eprintln!("error: `inbox` runs alone");
            return ExitCode::from(2);
        }
        inbox::main();
        return ExitCode::SUCCESS;
    }
    wrk::main(&args)
}
