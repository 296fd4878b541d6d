//! Configuration through the binary: nested environment variables, the deprecated flat names, and
//! unknown keys refused with their path. (The layering itself is unit-tested in `src/config.rs`.)

mod common;

use common::{Backend, TestServer};
use serde_json::json;

/// Whether `srv` accepts a webhook on a loopback address, which only
/// `webhooks.allow_private_targets` allows.
async fn accepts_a_private_target(srv: &TestServer) -> bool {
    let key = srv.apikey(&[]);
    let r = srv
        .post(
            "/api/webhooks",
            &key,
            &json!({"url": "http://127.0.0.1:9/hook", "events": ["*"]}),
        )
        .await;
    assert!(matches!(r.status, 201 | 422), "{:?}", r.json);
    r.status == 201
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nested_environment_variable_sets_its_key() {
    let mut srv = TestServer::with_env(
        Backend::Sqlite,
        &[("DOSSIER_WEBHOOKS__ALLOW_PRIVATE_TARGETS", "true")],
    )
    .await;
    srv.spawn().await;
    assert!(accepts_a_private_target(&srv).await);
    assert!(!srv.log().contains("deprecated"), "{}", srv.log());

    let mut default = TestServer::new(Backend::Sqlite).await;
    default.spawn().await;
    assert!(!accepts_a_private_target(&default).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_flat_variable_still_works_and_is_reported_deprecated() {
    let mut srv = TestServer::with_env(
        Backend::Sqlite,
        &[("DOSSIER_WEBHOOK_ALLOW_PRIVATE_TARGETS", "true")],
    )
    .await;
    srv.spawn().await;
    assert!(accepts_a_private_target(&srv).await);
    // `serve` logs it once, as a warning; the other subcommands print it.
    let warning = "DOSSIER_WEBHOOK_ALLOW_PRIVATE_TARGETS is deprecated; \
                   use DOSSIER_WEBHOOKS__ALLOW_PRIVATE_TARGETS";
    let log = srv.log();
    assert_eq!(log.matches(warning).count(), 1, "{log}");
    assert!(
        log.lines()
            .any(|l| l.contains(warning) && l.contains("WARN")),
        "{log}"
    );
    let out = srv.cli(&["workspace", "list"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("dossier: warning: {warning}")),
        "{stderr}"
    );
}

#[test]
fn unknown_keys_in_the_file_or_the_environment_are_errors_naming_their_path() {
    let dir = std::env::temp_dir().join(format!("dossier-config-{}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("dossier.toml");
    let run = |env: &[(&str, &str)]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_dossier"))
            .args(["workspace", "list", "--config", file.to_str().unwrap()])
            .args(["--data-dir", dir.join("data").to_str().unwrap()])
            .envs(env.iter().copied())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    std::fs::write(&file, "[webhooks]\nallow_private = true\n").unwrap();
    let (code, err) = run(&[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("`webhooks.allow_private`: unknown field"),
        "{err}"
    );

    std::fs::write(&file, "[webhooks]\nallow_private_targets = true\n").unwrap();
    assert_eq!(run(&[]).0, Some(0));
    let (code, err) = run(&[("DOSSIER_WEBHOOKS__ALLOW_PRIVATE", "true")]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("unknown key `webhooks.allow_private` (environment variable DOSSIER_WEBHOOKS__ALLOW_PRIVATE)"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
