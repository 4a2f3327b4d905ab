//! A PostgreSQL server of the bot's own, for `merchant-bot demo` and for the tests on a
//! machine where PostgreSQL is installed but no server answers: a cluster made with the
//! machine's `initdb` in a folder, started with its `postgres` on a free loopback port,
//! trust authentication for the `postgres` role, and stopped when its owner stops.
//!
//! A watchdog shell process stops the server when the process that started it is gone,
//! even after a `kill -9`, so no server is left behind.

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use std::os::unix::process::CommandExt;

use anyhow::{Context, bail};

/// How long a new server may take to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A running server. Dropping it stops the server (fast shutdown).
pub struct LocalPostgres {
    /// `postgres://postgres@127.0.0.1:<port>/postgres`
    pub url: String,
    pub port: u16,
    pub data_dir: PathBuf,
    server: Child,
}

/// Where the machine's PostgreSQL programs are: `PG_BIN`, else the folder of `initdb`
/// on `PATH`, else the newest `/usr/lib/postgresql/<version>/bin` (Debian, Ubuntu).
pub fn find_bin_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if dir.join("initdb").is_file() {
                return Ok(dir);
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin): &(u32, PathBuf)| bin.join("initdb").is_file())
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .context("no PostgreSQL programs found: install PostgreSQL (initdb, postgres), or set PG_BIN to their folder")
}

/// Whether every folder above `dir` lets other users pass through.
fn reachable_by_others(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    dir.ancestors().skip(1).all(|a| std::fs::metadata(a).map(|m| m.permissions().mode() & 0o001 != 0).unwrap_or(false))
}

/// A short stable name for a folder.
fn short_hash(dir: &Path) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(dir.as_os_str().as_encoded_bytes());
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user.
fn as_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0\n")).unwrap_or(false)
}

/// A command for one of PostgreSQL's programs, dropping root privileges if needed.
fn pg_command(bin: &Path, program: &str, root: bool) -> Command {
    if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=postgres", "--regid=postgres", "--init-groups", "--"]).arg(bin.join(program));
        c
    } else {
        Command::new(bin.join(program))
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl LocalPostgres {
    /// Starts a server on the cluster in `data_dir`, making the cluster first if the
    /// folder holds none. With `remove_after`, the folder is deleted when the server stops.
    pub fn start(data_dir: &Path, remove_after: bool) -> anyhow::Result<LocalPostgres> {
        let bin = find_bin_dir()?;
        let root = as_root();
        std::fs::create_dir_all(data_dir).with_context(|| format!("cannot create {}", data_dir.display()))?;
        let mut data_dir = data_dir.canonicalize()?;
        if root && !reachable_by_others(&data_dir) {
            // The server runs as `postgres`, which cannot pass through a private folder
            // above this one (e.g. /root): the cluster lives in a fixed place of its own.
            let alternative = std::env::temp_dir().join(format!("merchant-bot-postgres-{}", short_hash(&data_dir)));
            std::fs::create_dir_all(&alternative)?;
            data_dir = alternative.canonicalize()?;
        }
        if root {
            let status = Command::new("chown").arg("-R").arg("postgres:").arg(&data_dir).status()?;
            if !status.success() {
                bail!("cannot give {} to the postgres user (needed when running as root)", data_dir.display());
            }
        }
        if !data_dir.join("PG_VERSION").exists() {
            let output = pg_command(&bin, "initdb", root)
                .arg("-D")
                .arg(&data_dir)
                .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"])
                .stdin(Stdio::null())
                .output()
                .context("cannot run initdb")?;
            if !output.status.success() {
                bail!("initdb failed: {}", String::from_utf8_lossy(&output.stderr).trim());
            }
        }
        let port = free_port()?;
        let log = std::fs::File::create(data_dir.join("server.log"))?;
        if root {
            let _ = Command::new("chown").arg("postgres:").arg(data_dir.join("server.log")).status();
        }
        let server = pg_command(&bin, "postgres", root)
            .arg("-D")
            .arg(&data_dir)
            .args(["-p", &port.to_string(), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"])
            .arg("-c")
            .arg(format!("unix_socket_directories={}", data_dir.display()))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            // Its own process group: a Ctrl-C in the terminal reaches the demo, which
            // stops the server after the bot, not both at once.
            .process_group(0)
            .spawn()
            .context("cannot start postgres")?;
        watchdog(std::process::id(), server.id(), &data_dir, remove_after.then_some(&data_dir))?;
        let mut running = LocalPostgres {
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            port,
            data_dir: data_dir.clone(),
            server,
        };
        let deadline = Instant::now() + START_TIMEOUT;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = running.server.try_wait()? {
                let log = std::fs::read_to_string(data_dir.join("server.log")).unwrap_or_default();
                bail!("postgres exited ({status}): {}", log.lines().last().unwrap_or_default());
            }
            if Instant::now() > deadline {
                bail!("postgres did not accept connections within {START_TIMEOUT:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(running)
    }

    /// The URL of `database` on this server.
    pub fn url_for(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Stops the server and waits for it.
    pub fn stop(&mut self) {
        let _ = Command::new("kill").args(["-INT", &self.server.id().to_string()]).status();
        let _ = self.server.wait();
    }
}

impl Drop for LocalPostgres {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A shell that stops the server (SIGINT: fast shutdown) once `owner` is gone, and
/// removes the folder if asked.
fn watchdog(owner: u32, server: u32, data_dir: &Path, remove: Option<&PathBuf>) -> anyhow::Result<()> {
    let remove = match remove {
        Some(dir) => format!("; rm -rf '{}'", dir.display().to_string().replace('\'', "'\\''")),
        None => String::new(),
    };
    // The server's pid is only signalled while it is still this server (its command
    // line names the folder): a pid may be reused once the server has stopped.
    let script = format!(
        "while kill -0 {owner} 2>/dev/null; do sleep 1; done; \
         if grep -qF -- '{dir}' /proc/{server}/cmdline 2>/dev/null; then kill -INT {server}; fi; \
         while grep -qF -- '{dir}' /proc/{server}/cmdline 2>/dev/null; do sleep 0.2; done{remove}",
        dir = data_dir.display().to_string().replace('\'', "'\\''"),
    );
    Command::new("sh")
        .args(["-c", &script])
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start the watchdog shell")?;
    Ok(())
}
