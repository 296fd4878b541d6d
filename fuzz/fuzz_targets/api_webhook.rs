//! The bodies of `POST /api/webhooks` (also Zapier's REST-hook shape) and `PATCH /api/webhooks/{id}`:
//! `decode_body` as the `JsonBody` extractor, then the URL's shape and literal-host checks (with
//! private targets refused and allowed) and the event types.
#![no_main]

use dossier_domain::validation::{Errors, decode_body};
use dossier_domain::webhook::{self, NewWebhook, WebhookPatch, target};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    for allow_private in [false, true] {
        if let Ok(new) = decode_body::<NewWebhook>(&raw)
            && let Ok(settings) = new.into_settings(allow_private)
        {
            // An accepted URL parses again, to an http(s) URL with a host and no credentials.
            let url = target::parse_target(&settings.url).expect("accepted once");
            assert!(matches!(url.scheme(), "http" | "https"));
            assert!(allow_private || target::check_literal_host(&url, false).is_ok());
        }
        if let Ok(patch) = decode_body::<WebhookPatch>(&raw) {
            let url = patch
                .url
                .unwrap_or_else(|| "https://hooks.example.com/dossier".into());
            let events = patch.events.unwrap_or_else(|| vec!["*".into()]);
            let mut errors = Errors::new();
            webhook::check(&mut errors, &url, &events, allow_private);
        }
    }
});
