//! A real `redis-server` for the tests, on a free loopback port, killed on drop.
//!
//! The tests need the `redis-server` binary (`apt-get install redis-server`),
//! found on `PATH` or named by `HOOKPROOF_REDIS_SERVER`. Without it they fail,
//! they do not skip. The TLS server also needs the `openssl` command, which
//! makes its certificates.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `redis-server` child process; stopped (killed) when dropped.
#[derive(Debug)]
pub(crate) struct RedisServer {
    port: u16,
    child: Option<Child>,
    tls: Option<Tls>,
}

/// A TLS server's second port and its certificates (a CA, and a server
/// certificate for 127.0.0.1 signed by it), in a directory removed on drop.
#[derive(Debug)]
struct Tls {
    port: u16,
    dir: PathBuf,
}

impl Drop for Tls {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl RedisServer {
    /// Starts a server on a free port and waits until it answers PING.
    pub(crate) fn start() -> Self {
        Self::on_port(free_port())
    }

    /// Starts a server on `port` and waits until it answers PING.
    pub(crate) fn on_port(port: u16) -> Self {
        let mut server = Self { port, child: None, tls: None };
        server.launch();
        server
    }

    /// Starts a server that also serves TLS (`rediss://`) on a second free
    /// port, with a certificate for 127.0.0.1 signed by a fresh private CA.
    pub(crate) fn start_tls() -> Self {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("hookproof-redis-tls-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the certificate directory");
        make_certificates(&dir);
        let mut server = Self { port, child: None, tls: Some(Tls { port: free_port(), dir }) };
        server.launch();
        server
    }

    /// `rediss://127.0.0.1:<tls port>/0` (only for [`start_tls`](Self::start_tls)).
    pub(crate) fn tls_url(&self) -> String {
        format!("rediss://127.0.0.1:{}/0", self.tls.as_ref().expect("a TLS server").port)
    }

    /// The PEM file of the CA that signed the TLS server's certificate.
    pub(crate) fn ca_file(&self) -> PathBuf {
        self.tls.as_ref().expect("a TLS server").dir.join("ca.crt")
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
        let mut command = Command::new(&binary);
        command.args(["--port", &port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);
        if let Some(tls) = &self.tls {
            let file = |name: &str| tls.dir.join(name).display().to_string();
            command.args(["--tls-port", &tls.port.to_string(), "--tls-auth-clients", "no"]);
            command.args(["--tls-cert-file", &file("server.crt"), "--tls-key-file", &file("server.key")]);
            command.args(["--tls-ca-cert-file", &file("ca.crt")]);
        }
        let child = command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn();
        let mut child = match child {
            Ok(child) => child,
            Err(error) => panic!(
                "could not run `{binary}` ({error}): the hookproof-redis tests need a real Redis server. \
                 Install it (e.g. `apt-get install redis-server`) or point HOOKPROOF_REDIS_SERVER at the binary."
            ),
        };
        // Both ports open together, so the plain one tells when TLS is ready too.
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

/// A CA and a server certificate for 127.0.0.1 it signed, by the `openssl` command.
fn make_certificates(dir: &Path) {
    let openssl = |args: &[&str]| {
        let output = Command::new("openssl").args(args).current_dir(dir).output().unwrap_or_else(|error| {
            panic!("could not run `openssl` ({error}): the TLS tests need it (apt-get install openssl)")
        });
        assert!(output.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    };
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    openssl(
        &[
            &["req", "-x509"],
            &ec[..],
            &["-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=hookproof test CA"],
        ]
        .concat(),
    );
    openssl(&[&["req"], &ec[..], &["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"]].concat());
    std::fs::write(dir.join("san.ext"), "subjectAltName=IP:127.0.0.1\n").expect("write san.ext");
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.crt",
        "-days",
        "2",
        "-extfile",
        "san.ext",
    ]);
}

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
