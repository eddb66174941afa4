//! Proxy history and rollback (SPEC §5, §7).

use crate::support;

use reqwest::StatusCode;
use support::app::{PAGE, TestApp, encode, hidden};

const HISTORY: &str = "/system/configuration/management-interfaces/proxy/history";

/// A rollback to revision `target` posted from the History page loaded at revision `base`.
pub(crate) async fn rollback(app: &TestApp, target: &str, base: &str) -> reqwest::Response {
    let fields = [
        ("target".to_owned(), target.to_owned()),
        ("revision".to_owned(), base.to_owned()),
        ("csrf_token".to_owned(), app.csrf().await),
    ];
    app.post_raw(
        &format!("{HISTORY}/rollback"),
        "application/x-www-form-urlencoded",
        encode(&fields).into_bytes(),
    )
    .await
}

async fn saves(app: &TestApp) {
    let auth = [
        ("use_auth", "on"),
        ("username", "u1"),
        ("password", "first-Secret"),
        ("confirm_password", "first-Secret"),
    ];
    let mut one = vec![("enabled", "on"), ("host", "10.0.0.1"), ("port", "80")];
    one.extend(auth);
    assert_eq!(app.save(&one).await.status(), StatusCode::SEE_OTHER);
    let two = [
        ("enabled", "on"),
        ("host", "10.0.0.2"),
        ("port", "3128"),
        ("use_auth", "on"),
        ("username", "u2"),
        ("password", "second-Secret"),
        ("confirm_password", "second-Secret"),
    ];
    assert_eq!(app.save(&two).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.save(&[
            ("host", "10.0.0.2"),
            ("port", "3128"),
            ("username", "u2"),
            ("use_auth", "on")
        ])
        .await
        .status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn history_lists_every_revision_with_who_and_what_changed_secrets_masked() {
    let app = TestApp::spawn().await;
    saves(&app).await;
    let html = app
        .client
        .get(app.url(HISTORY))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for id in 1..=3 {
        assert!(
            html.contains(&format!("id=\"rev-{id}\"")),
            "revision {id} listed"
        );
    }
    assert!(
        html.contains(
            "host 10.0.0.1 → 10.0.0.2; port 80 → 3128; username u1 → u2; password changed"
        ),
        "{html}"
    );
    assert!(html.contains("enabled on → off"));
    assert!(html.contains("<td>admin</td>"));
    assert!(!html.contains("first-Secret") && !html.contains("second-Secret"));
    assert!(
        html.contains(">Roll back to 1<") && !html.contains(">Roll back to 3<"),
        "the current one has no button"
    );
}

#[tokio::test]
async fn rolling_back_makes_a_new_revision_with_the_old_values_file_and_audit() {
    let app = TestApp::spawn().await;
    saves(&app).await;
    assert_eq!(app.conf(), None, "revision 3 is disabled");

    let r = rollback(&app, "1", "3").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], PAGE);
    let (_, page) = app.page().await;
    assert!(page.contains("Rolled back: revision 4 restores the settings of revision 1."));

    assert_eq!(
        app.conf().unwrap(),
        "iprep_proxy {\n    PROXY_HOST 10.0.0.1;\n    PROXY_PORT 80;\n}\n"
    );
    let pool = app.db().await;
    let row: (i64, String, Option<i64>) = sqlx::query_as(
        "SELECT id, username, rollback_of FROM proxy_revisions ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(row, (4, "u1".into(), Some(1)));
    assert_eq!(
        app.stored_password().await.as_deref(),
        Some("first-Secret"),
        "the old password comes back too"
    );
    let detail = app.audit_detail("rollback").await;
    assert!(
        detail.starts_with("revision 4 restores revision 1:") && !detail.contains("first-Secret"),
        "{detail}"
    );
}

#[tokio::test]
async fn a_rollback_from_a_stale_list_or_to_a_missing_revision_changes_nothing() {
    let app = TestApp::spawn().await;
    saves(&app).await;
    let r = rollback(&app, "1", "2").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("revision 3 was saved after this list was loaded")
    );
    let r = rollback(&app, "99", "3").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.revision_count().await, 3);
}

#[tokio::test]
async fn each_revision_names_the_user_who_saved_it() {
    let app = TestApp::spawn().await;
    let pool = app.db().await;
    let secret = fmc_mgmt::secret::Secret::new("operator-Pa55");
    fmc_mgmt::auth::users::set_password(&pool, "operator", &secret)
        .await
        .unwrap();
    assert_eq!(
        app.login("operator", "operator-Pa55").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.save(&[("enabled", "on"), ("host", "10.0.0.1"), ("port", "80")])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let (actor,): (String,) = sqlx::query_as("SELECT actor FROM proxy_revisions WHERE id = 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(actor, "operator");
    let (audited,): (String,) = sqlx::query_as("SELECT actor FROM audit_log WHERE action = 'save'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(audited, "operator");
}

/// Issue 13, item 4: the current revision is read from the database on every page, so one
/// saved by another process (another server on the same data directory) is what the page
/// shows at once, and the stale check of the next save is the database's, not memory's.
#[tokio::test]
async fn a_revision_saved_by_another_process_is_what_the_page_shows_at_once() {
    use fmc_mgmt::settings::ProxyConfig;
    use fmc_mgmt::settings::fields::ProxyHost;
    use fmc_mgmt::settings::store::{SaveOutcome, Store};

    let app = TestApp::spawn().await;
    let first = [("enabled", "on"), ("host", "10.0.0.1"), ("port", "80")];
    assert_eq!(app.save(&first).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.form_revision().await,
        "1",
        "the page has read revision 1"
    );

    let data = app.data_dir();
    let pool = fmc_mgmt::db::connect(data.join("fmc.db").to_str().unwrap())
        .await
        .unwrap();
    let sealer = fmc_mgmt::secret_box::SecretBox::load_or_create(&data.join("secret.key")).unwrap();
    let other = Store::new(pool, app.conf_path(), std::sync::Arc::new(sealer));
    let outcome = other
        .save(1, "other", None, None, |old: &ProxyConfig| ProxyConfig {
            host: ProxyHost::parse("10.0.0.9").ok(),
            ..old.clone()
        })
        .await
        .unwrap();
    assert!(matches!(outcome, SaveOutcome::Saved(_)), "{outcome:?}");

    let (status, html) = app.page().await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        hidden(&html, "revision"),
        "2",
        "the page shows revision 2 at once"
    );
    assert!(html.contains("10.0.0.9"), "with the other process's host");

    // A form still on revision 1 is stale (409), one on revision 2 saves as revision 3.
    let stale = [
        ("revision", "1"),
        ("enabled", "on"),
        ("host", "10.0.0.3"),
        ("port", "80"),
    ];
    assert_eq!(app.save(&stale).await.status(), StatusCode::CONFLICT);
    let fresh = [("enabled", "on"), ("host", "10.0.0.4"), ("port", "80")];
    assert_eq!(app.save(&fresh).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.revision_count().await, 3);
    assert!(app.conf().unwrap_or_default().contains("10.0.0.4"));
}
