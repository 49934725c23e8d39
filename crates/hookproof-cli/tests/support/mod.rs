//! What the CLI's test binaries share: the built `hookproof` run as a
//! long-lived child (`listen`, `console`, `work`), and a temporary directory.

use std::io::{BufRead as _, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_hookproof");

/// How long a child may take to print an awaited line: generous, as a debug
/// build on a busy machine starts slowly.
const PATIENCE: Duration = Duration::from_secs(30);

/// A child process, killed and reaped on drop so a failing test leaves
/// nothing running.
pub(crate) struct Running {
    child: Child,
    /// The command line, for the panic messages.
    command: String,
    stderr_lines: mpsc::Receiver<String>,
    /// Every stderr line received so far.
    stderr_seen: Vec<String>,
    /// Stdout's lines, when stdout is piped (not sent to a file or nowhere).
    stdout_lines: Option<mpsc::Receiver<String>>,
    /// The stderr line it announced itself with (`listening on http://...`).
    announced: String,
}

impl Running {
    /// `hookproof ARGS`, once it has printed a stderr line containing `announcement`.
    pub(crate) fn start(args: &[&str], announcement: &str) -> Self {
        Self::start_with(args, announcement, &[], None)
    }

    /// [`Running::start`] with `env` set, and stdout written to `stdout_file`
    /// when given. `HOOKPROOF_SECRET` and `HOOKPROOF_CONSOLE_TOKEN` are set
    /// only when `env` sets them: the test's own environment does not leak in.
    pub(crate) fn start_with(
        args: &[&str],
        announcement: &str,
        env: &[(&str, &str)],
        stdout_file: Option<&Path>,
    ) -> Self {
        let stdout = match stdout_file {
            Some(path) => Stdio::from(std::fs::File::create(path).unwrap()),
            None => Stdio::piped(),
        };
        let mut running = Self::spawn(
            Command::new(BIN)
                .args(args)
                .env_remove("HOOKPROOF_SECRET")
                .env_remove("HOOKPROOF_CONSOLE_TOKEN")
                .envs(env.iter().copied())
                .stdout(stdout),
        );
        running.announced = running.wait_for(announcement);
        running
    }

    /// Starts `command` with stdin closed and its stderr read here; waits for nothing.
    pub(crate) fn spawn(command: &mut Command) -> Self {
        let mut child = command
            .stdin(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("{command:?} does not start: {error}"));
        Self {
            stderr_lines: forward_lines(child.stderr.take().unwrap()),
            stderr_seen: Vec::new(),
            stdout_lines: child.stdout.take().map(forward_lines),
            child,
            command: format!("{command:?}"),
            announced: String::new(),
        }
    }

    /// The address the child announced: from `http://` to the end of the line.
    pub(crate) fn url(&self) -> &str {
        url_in(&self.announced)
    }

    /// Waits until the child has printed a stderr line containing `needle`
    /// (now or before); returns it.
    pub(crate) fn wait_for(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(line) = self.stderr_seen.iter().find(|line| line.contains(needle)) {
                return line.clone();
            }
            let ended = match self.stderr_lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(line) => {
                    self.stderr_seen.push(line);
                    continue;
                }
                Err(RecvTimeoutError::Timeout) => format!("still running after {PATIENCE:?}"),
                Err(RecvTimeoutError::Disconnected) => {
                    // Stderr closed: the child is ending (the kill keeps the wait from hanging).
                    let _ = self.child.kill();
                    self.child.wait().map_or_else(|error| error.to_string(), |status| format!("ended: {status}"))
                }
            };
            panic!("{}: no `{needle}` on stderr ({ended}); its stderr:\n{}", self.command, self.stderr_seen.join("\n"));
        }
    }

    /// The stderr lines received so far.
    #[allow(dead_code)]
    pub(crate) fn stderr(&self) -> &[String] {
        &self.stderr_seen
    }

    /// The next line on stdout (an event processed), as JSON.
    #[allow(dead_code)]
    pub(crate) fn next_line(&self) -> serde_json::Value {
        let stdout = self.stdout_lines.as_ref().expect("stdout piped, not sent to a file");
        let line = stdout.recv_timeout(Duration::from_secs(10)).expect("an event line on stdout");
        serde_json::from_str(&line).unwrap()
    }

    /// The JSON lines printed on stdout and not taken yet (one per event processed successfully).
    #[allow(dead_code)]
    pub(crate) fn printed(&self) -> Vec<serde_json::Value> {
        let stdout = self.stdout_lines.as_ref().expect("stdout piped, not sent to a file");
        stdout.try_iter().map(|line| serde_json::from_str(&line).unwrap()).collect()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The URL at the end of a `... on http://...` line.
pub(crate) fn url_in(line: &str) -> &str {
    line[line.find("http://").unwrap_or_else(|| panic!("no URL in {line:?}"))..].trim()
}

/// The lines of `pipe`, read to its end on a thread of its own, as a terminal
/// would: a child whose pipe filled up or closed would block or fail.
fn forward_lines(pipe: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    lines
}

/// A directory for one test (the `tempfile` crate's, removed on drop), with
/// the paths the CLI tests need in it.
#[allow(dead_code)]
pub(crate) struct TempDir(tempfile::TempDir);

#[allow(dead_code)]
impl TempDir {
    /// `hookproof-NAME-…` under the system's temporary directory.
    pub(crate) fn new(name: &str) -> Self {
        Self(tempfile::Builder::new().prefix(&format!("hookproof-{name}-")).tempdir().unwrap())
    }

    pub(crate) fn path(&self) -> &Path {
        self.0.path()
    }

    /// Writes `contents` to the file `name` in it; that file's path.
    pub(crate) fn file(&self, name: &str, contents: &str) -> String {
        let path = self.path().join(name);
        std::fs::write(&path, contents).unwrap();
        path.display().to_string()
    }

    /// The URL of a SQLite inbox in it.
    pub(crate) fn sqlite(&self) -> String {
        format!("sqlite:{}", self.path().join("inbox.db").display())
    }
}
