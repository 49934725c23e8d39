//! A real PostgreSQL server for the tests: `initdb` + `pg_ctl` in a temp
//! directory, on a free loopback port, stopped and deleted on drop.
//!
//! The tests need the server binaries (`apt-get install postgresql`; on
//! Debian they live in /usr/lib/postgresql/VERSION/bin), or a directory
//! named by `HOOKPROOF_PG_BIN`. Without them the tests fail, they do not
//! skip. `initdb` refuses to run as root, so as root the binaries run as
//! the `postgres` user, which then owns the temp directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A PostgreSQL cluster in a temp directory; stopped when dropped.
#[derive(Debug)]
pub(crate) struct PostgresServer {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    running: bool,
    /// Processes stopped by [`pause`](Self::pause), resumed on drop at the latest.
    paused: Vec<u32>,
}

impl PostgresServer {
    /// Creates a cluster (user `hookproof`, trust authentication) and starts it.
    pub(crate) fn start() -> Self {
        let bin = bin_dir();
        let dir = tempfile::Builder::new().prefix("hookproof-pg-").tempdir().expect("create a temp directory");
        if running_as_root() {
            run(Command::new("chown").arg("postgres:").arg(dir.path()));
        }
        let data = dir.path().join("data");
        // --no-sync: the cluster's creation need not survive a power cut;
        // the server itself runs with fsync on, as in production.
        let mut initdb = as_server_user(&bin.join("initdb"), dir.path());
        initdb.arg("-D").arg(&data).args(["-U", "hookproof", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
        run(&mut initdb);
        let mut server = Self { bin, dir, port: 0, running: false, paused: Vec::new() };
        server.launch_on_a_free_port();
        server
    }

    /// `postgres://hookproof@127.0.0.1:PORT/postgres`.
    pub(crate) fn url(&self) -> String {
        format!("postgres://hookproof@127.0.0.1:{}/postgres", self.port)
    }

    /// The same URL with a password in it (trust authentication ignores it).
    pub(crate) fn url_with_password(&self, password: &str) -> String {
        format!("postgres://hookproof:{password}@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server (fast shutdown: connections are closed) and waits.
    pub(crate) fn stop(&mut self) {
        if self.running {
            self.pg_ctl(&["stop", "-m", "fast", "-w", "-t", "30"]);
            self.running = false;
        }
    }

    /// Starts the stopped server again, on the same port, with its data.
    pub(crate) fn restart(&mut self) {
        assert!(!self.running, "restart() needs a stopped server");
        let output = self.try_launch(self.port);
        assert!(output.status.success(), "pg_ctl start on port {} failed: {}", self.port, describe(&output));
        self.running = true;
    }

    /// Freezes the server and its backends (SIGSTOP): connections stay open
    /// and accept bytes, but nothing answers, as with a hung host.
    pub(crate) fn pause(&mut self) {
        assert!(self.running && self.paused.is_empty(), "pause() needs a running, unpaused server");
        let pid_file = std::fs::read_to_string(self.dir.path().join("data/postmaster.pid")).expect("postmaster.pid");
        let postmaster: u32 =
            pid_file.lines().next().and_then(|line| line.trim().parse().ok()).expect("postmaster pid");
        let children = Command::new("pgrep").args(["-P", &postmaster.to_string()]).output().expect("run pgrep");
        // The postmaster first, so it forks no new backend meanwhile.
        self.paused = std::iter::once(postmaster)
            .chain(String::from_utf8_lossy(&children.stdout).lines().filter_map(|line| line.trim().parse().ok()))
            .collect();
        for pid in &self.paused {
            signal("-STOP", *pid);
        }
    }

    /// Undoes [`pause`](Self::pause).
    pub(crate) fn resume(&mut self) {
        for pid in self.paused.drain(..) {
            signal("-CONT", pid);
        }
    }

    fn launch_on_a_free_port(&mut self) {
        // The port is free when chosen but another process may take it
        // before the server binds: try a few.
        let mut last = None;
        for _ in 0..5 {
            let port = free_port();
            let output = self.try_launch(port);
            if output.status.success() {
                self.port = port;
                self.running = true;
                return;
            }
            last = Some(output);
        }
        panic!("pg_ctl start failed 5 times: {}", last.map(|output| describe(&output)).unwrap_or_default());
    }

    fn try_launch(&self, port: u16) -> Output {
        let log = self.dir.path().join("server.log");
        let options = format!("-p {port} -k {} -c listen_addresses=127.0.0.1", self.dir.path().display());
        let mut start = as_server_user(&self.bin.join("pg_ctl"), self.dir.path());
        start
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .arg("-l")
            .arg(&log)
            .args(["-w", "-t", "30", "-o", &options, "start"]);
        let output = start.output().expect("run pg_ctl");
        if !output.status.success() {
            // pg_ctl may leave a half-started server behind; make sure it is gone.
            let _ = self.try_pg_ctl(&["stop", "-m", "immediate", "-w"]);
        }
        output
    }

    fn pg_ctl(&self, args: &[&str]) {
        let output = self.try_pg_ctl(args);
        assert!(output.status.success(), "pg_ctl {args:?} failed: {}", describe(&output));
    }

    fn try_pg_ctl(&self, args: &[&str]) -> Output {
        let mut command = as_server_user(&self.bin.join("pg_ctl"), self.dir.path());
        command.arg("-D").arg(self.dir.path().join("data")).args(args);
        command.output().expect("run pg_ctl")
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        // A stopped server cannot act on pg_ctl's shutdown signal.
        self.resume();
        if self.running {
            let _ = self.try_pg_ctl(&["stop", "-m", "immediate", "-w", "-t", "30"]);
            self.running = false;
        }
    }
}

fn signal(which: &str, pid: u32) {
    let status = Command::new("kill").args([which, &pid.to_string()]).status().expect("run kill");
    assert!(status.success(), "kill {which} {pid} failed");
}

fn bin_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("HOOKPROOF_PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| bin.join("initdb").is_file() && bin.join("pg_ctl").is_file())
        .collect();
    versions.sort();
    match versions.pop() {
        Some(newest) => newest,
        None => panic!(
            "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin: the hookproof-inbox tests need a real \
             PostgreSQL. Install it (`apt-get install postgresql`) or point HOOKPROOF_PG_BIN at its bin directory."
        ),
    }
}

fn running_as_root() -> bool {
    let output = Command::new("id").arg("-u").output().expect("run id -u");
    String::from_utf8_lossy(&output.stdout).trim() == "0"
}

/// `program` as the `postgres` user when we are root (initdb refuses root),
/// run from `dir` (that user may not be able to read the current directory).
fn as_server_user(program: &Path, dir: &Path) -> Command {
    let mut command = if running_as_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    };
    command.current_dir(dir).stdin(Stdio::null());
    command
}

fn run(command: &mut Command) {
    let output = command.output().unwrap_or_else(|error| panic!("could not run {command:?}: {error}"));
    assert!(output.status.success(), "{command:?} failed: {}", describe(&output));
}

fn describe(output: &Output) -> String {
    format!(
        "{}\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

pub(crate) use hookproof_test_support::free_port;
