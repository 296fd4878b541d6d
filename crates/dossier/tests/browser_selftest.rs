//! The browser kit's self-test (tests/browser/selftest.mjs): axe-core finds nothing on a good page
//! and the defects of a bad one, both served with the portal's strict CSP; a form works without
//! JavaScript; screenshots have the phone's size.

mod common;

#[tokio::test]
async fn the_browser_kit_checks_what_it_claims() {
    common::browser::run_journey("selftest.mjs", &[]).await;
}
