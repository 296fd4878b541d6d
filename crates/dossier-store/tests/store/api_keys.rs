//! API keys: created with a secret shown once, found by that secret, not once revoked.

use dossier_domain::access::Role;
use dossier_store::StoreError;

use crate::common::*;

store_test!(
    an_api_key_is_found_by_its_secret_until_revoked,
    |store| async move {
        let ws = workspace(&store, "acme").await.id;
        let rw = store
            .create_api_key(&ws, "backend", Role::Automation)
            .await
            .unwrap();
        let ro = store
            .create_api_key(&ws, "dashboard", Role::ReadOnly)
            .await
            .unwrap();
        assert!(rw.secret.starts_with(&rw.key.prefix));
        assert_ne!(rw.secret, ro.secret);

        let (found, version) = store
            .api_key_by_secret(&rw.secret)
            .await
            .unwrap()
            .expect("found");
        assert_eq!(found.id, rw.key.id);
        assert_eq!(found.workspace_id, ws);
        assert_eq!(found.role, Role::Automation);
        assert!(found.revoked_at.is_none());
        assert!(version >= 0);
        let (found, _) = store
            .api_key_by_secret(&ro.secret)
            .await
            .unwrap()
            .expect("found");
        assert_eq!(found.role, Role::ReadOnly);
        assert!(
            store
                .api_key_by_secret("dsk_not-a-key")
                .await
                .unwrap()
                .is_none()
        );
        // The secret itself is not what is stored: the prefix alone finds nothing.
        assert!(
            store
                .api_key_by_secret(&rw.key.prefix)
                .await
                .unwrap()
                .is_none()
        );

        let listed: Vec<String> = store
            .api_keys(&ws)
            .await
            .unwrap()
            .into_iter()
            .map(|k| k.id)
            .collect();
        assert_eq!(
            listed,
            vec![ro.key.id.clone(), rw.key.id.clone()],
            "newest first"
        );

        store.revoke_api_key(&ws, &rw.key.id).await.unwrap();
        assert!(
            store.api_key_by_secret(&rw.secret).await.unwrap().is_none(),
            "revoked"
        );
        assert!(
            store.api_key_by_secret(&ro.secret).await.unwrap().is_some(),
            "the other one lives"
        );
        assert!(matches!(
            store.revoke_api_key(&ws, &rw.key.id).await,
            Err(StoreError::NotFound)
        ));
        let listed = store.api_keys(&ws).await.unwrap();
        let revoked = listed.iter().find(|k| k.id == rw.key.id).unwrap();
        assert!(
            revoked.revoked_at.is_some(),
            "a revoked key stays listed, marked"
        );

        // Creation and revocation are audited in the workspace chain, which verifies.
        assert_eq!(store.audit_entry_count().await.unwrap(), 3);
        assert!(store.verify_audit().await.unwrap().is_none());
    }
);
