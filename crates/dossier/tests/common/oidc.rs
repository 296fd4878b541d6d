//! A real OpenID Connect provider for the sign-in tests: `node tests/oidc/provider.mjs` (the
//! certified `oidc-provider` package, see that script), on loopback, stopped when dropped.
//!
//! Dossier needs the issuer when it starts and the provider needs Dossier's redirect URI, so a
//! provider is first [`OidcProvider::reserve`]d (its port chosen), Dossier started with
//! [`OidcProvider::env`], then the provider [`started`](OidcProvider::start) with
//! `{base}/login/oidc/callback`. Dossier reads the discovery document at the first sign-in.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const CLIENT_ID: &str = "dossier-tests";
pub const CLIENT_SECRET: &str = "a-test-secret-for-the-loopback-provider";

pub struct OidcProvider {
    /// `http://{host}:{port}`.
    pub issuer: String,
    pub port: u16,
    host: String,
    log: PathBuf,
    child: Option<Child>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl OidcProvider {
    /// A provider at `http://127.0.0.1:{a free port}`, not started.
    pub fn reserve() -> Self {
        Self::reserve_as("127.0.0.1")
    }

    /// A provider whose issuer names `host` (it listens on 127.0.0.1 whatever the name):
    /// `localhost` makes it another site than Dossier on 127.0.0.1, for a browser's cookie rules.
    pub fn reserve_as(host: &str) -> Self {
        let port = free_port();
        OidcProvider {
            issuer: format!("http://{host}:{port}"),
            port,
            host: host.to_string(),
            log: std::env::temp_dir().join(format!(
                "dossier-oidc-provider-{:016x}.log",
                rand::random::<u64>()
            )),
            child: None,
        }
    }

    /// Dossier's `[oidc]` for this provider, as environment variables, with `extra` pairs added
    /// (e.g. `("DOSSIER_OIDC__ALLOWED_DOMAINS", "[\"bank.test\"]")`).
    pub fn env(&self, extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut env = vec![
            ("DOSSIER_OIDC__ISSUER".to_string(), self.issuer.clone()),
            ("DOSSIER_OIDC__CLIENT_ID".into(), CLIENT_ID.into()),
            ("DOSSIER_OIDC__CLIENT_SECRET".into(), CLIENT_SECRET.into()),
            ("DOSSIER_OIDC__NAME".into(), "Test IdP".into()),
        ];
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        env
    }

    /// Starts the provider for a client redirecting to `redirect_uri`; `args` go to the script
    /// (e.g. `--claims-in-id-token`). Returns once it listens.
    pub async fn start(&mut self, redirect_uri: &str, args: &[&str]) {
        assert!(self.child.is_none(), "the provider runs already");
        let root = super::browser::repo_root();
        let dir = root.join("tests/oidc");
        assert!(
            dir.join("node_modules/oidc-provider").is_dir(),
            "the OpenID Connect tests need their provider's npm packages: run \
             `npm ci --prefix tests/oidc` in {}",
            root.display()
        );
        let log = std::fs::File::create(&self.log).unwrap();
        let mut child = Command::new("node")
            .arg(dir.join("provider.mjs"))
            .args(["--port", &self.port.to_string(), "--host", &self.host])
            .args(["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET])
            .args(["--redirect-uri", redirect_uri])
            .args(args)
            .current_dir(&root)
            // Kept open: the provider stops when it closes (this process gone).
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("the OpenID Connect tests need Node.js 20+ (`node`): {e}"));
        let stdout = child.stdout.take().unwrap();
        self.child = Some(child);
        // The first line says it listens; the rest is drained, so the provider never writes to a
        // closed pipe.
        let (said, heard) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = said.send(reader.read_line(&mut line).map(|_| line));
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let first = tokio::time::timeout(Duration::from_secs(30), heard).await;
        let line = match first {
            Ok(Ok(Ok(line))) if !line.is_empty() => line,
            other => panic!(
                "the OpenID Connect provider did not start ({other:?}):\n{}",
                self.log()
            ),
        };
        let said: serde_json::Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("the provider said {line:?}: {e}\n{}", self.log()));
        assert_eq!(said["issuer"], self.issuer.as_str(), "{}", self.log());
    }

    /// What the provider wrote to its standard error.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Stops the provider (it can be started again on the same port).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        self.stop();
        if std::env::var_os("KEEP_OIDC_LOG").is_none() {
            let _ = std::fs::remove_file(&self.log);
        } else {
            eprintln!("provider log: {}", self.log.display());
        }
    }
}
