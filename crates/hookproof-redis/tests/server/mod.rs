//! A real `redis-server` for the tests, on a free loopback port, killed on drop.
//!
//! The tests need the `redis-server` binary (`apt-get install redis-server`),
//! found on `PATH` or named by `HOOKPROOF_REDIS_SERVER`. Without it they fail,
//! they do not skip.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `redis-server` child process; stopped (killed) when dropped.
#[derive(Debug)]
pub(crate) struct RedisServer {
    port: u16,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts a server on a free port and waits until it answers PING.
    pub(crate) fn start() -> Self {
        Self::on_port(free_port())
    }

    /// Starts a server on `port` and waits until it answers PING.
    pub(crate) fn on_port(port: u16) -> Self {
        let mut server = Self { port, child: None };
        server.launch();
        server
    }

    /// `redis://127.0.0.1:<port>/0`.
    pub(crate) fn url(&self) -> String {
        url(self.port)
    }

    /// The server's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.as_ref().expect("server is running").id()
    }

    /// Kills the server (as a crash would) and waits for it to exit.
    pub(crate) fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port (with empty data: no persistence).
    pub(crate) fn restart(&mut self) {
        self.stop();
        self.launch();
    }

    /// Pauses the server (SIGSTOP): connections stay open but nothing answers.
    pub(crate) fn pause(&self) {
        signal("-STOP", self.pid());
    }

    /// Resumes a paused server (SIGCONT).
    pub(crate) fn resume(&self) {
        signal("-CONT", self.pid());
    }

    fn launch(&mut self) {
        let binary = std::env::var("HOOKPROOF_REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_owned());
        let port = self.port.to_string();
        let child = Command::new(&binary)
            .args(["--port", &port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let mut child = match child {
            Ok(child) => child,
            Err(error) => panic!(
                "could not run `{binary}` ({error}): the hookproof-redis tests need a real Redis server. \
                 Install it (e.g. `apt-get install redis-server`) or point HOOKPROOF_REDIS_SERVER at the binary."
            ),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if answers_ping(self.port) {
                break;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("`{binary}` on port {port} exited at start-up with {status} (port taken?)");
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("`{binary}` on port {port} did not answer PING within 10 s");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        self.child = Some(child);
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `redis://127.0.0.1:<port>/0`.
pub(crate) fn url(port: u16) -> String {
    format!("redis://127.0.0.1:{port}/0")
}

pub(crate) use hookproof_test_support::free_port;

fn answers_ping(port: u16) -> bool {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_millis(200)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    if stream.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut answer = [0u8; 7];
    stream.read_exact(&mut answer).is_ok() && &answer == b"+PONG\r\n"
}

fn signal(which: &str, pid: u32) {
    let status = Command::new("kill").args([which, &pid.to_string()]).status().expect("run kill");
    assert!(status.success(), "kill {which} {pid} failed");
}
