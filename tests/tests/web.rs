//! The web app served by the binary (files, client-side routes, caching, CSP) and the
//! dev identity provider's OpenID Connect flow the app signs in with.

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use harness::{Backend, Options, TestApp};
use reqwest::{Method, StatusCode};
use sha2::{Digest, Sha256};

/// A built app in miniature: `index.html` and one hashed asset.
fn built_app() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pge-web-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(dir.join("assets")).expect("dir");
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>pge</title><script type=\"module\" src=\"/assets/index-3f2a.js\"></script>",
    )
    .expect("index");
    std::fs::write(dir.join("assets/index-3f2a.js"), "console.log(1)").expect("asset");
    // The build's precompressed copy (its bytes are served as they are).
    std::fs::write(dir.join("assets/index-3f2a.js.br"), "brotli bytes").expect("copy");
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_serves_the_app_with_its_caching_and_policy() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        Options {
            web_dir: Some(built_app()),
            ..Options::default()
        },
    )
    .await;
    for path in [
        "/",
        "/demandes",
        "/demandes/0190f0c2-aaaa-7bbb-8ccc-123456789abc",
    ] {
        let reply = app.get(path, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert!(reply.text.contains("<title>pge</title>"), "{path}");
        assert_eq!(reply.headers["cache-control"], "no-cache", "{path}");
        let csp = reply.headers["content-security-policy"]
            .to_str()
            .expect("csp");
        assert!(csp.contains("default-src 'self'"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(reply.headers["x-content-type-options"], "nosniff");
    }
    let asset = app.get("/assets/index-3f2a.js", None).await;
    assert_eq!(asset.status, StatusCode::OK);
    assert_eq!(asset.text, "console.log(1)");
    let compressed = app
        .send(
            app.request(Method::GET, "/assets/index-3f2a.js")
                .header("accept-encoding", "br, gzip"),
        )
        .await;
    assert_eq!(compressed.headers["content-encoding"], "br");
    assert_eq!(compressed.text, "brotli bytes");
    assert_eq!(compressed.headers["vary"], "accept-encoding");
    assert_eq!(
        asset.headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(
        asset.headers["content-type"]
            .to_str()
            .expect("type")
            .contains("javascript")
    );
    // A missing file is a 404 that nothing keeps (never an immutable index.html).
    let missing = app.get("/assets/index-0000.js", None).await;
    missing.assert_problem(404, "not-found");
    assert_eq!(missing.headers["cache-control"], "no-store");
    // The API's 404s stay problem+json; the app's routes take no writes.
    app.get("/api/v1/nothing", None)
        .await
        .assert_problem(404, "not-found");
    app.send(app.request(Method::POST, "/demandes"))
        .await
        .assert_problem(405, "method-not-allowed");
    // Traversal stays inside the folder.
    for path in [
        "/assets/..%2f..%2f..%2fetc/passwd",
        "/..%2f..%2fetc%2fos-release.txt",
    ] {
        let traversal = app.get(path, None).await;
        assert!(
            !traversal.text.contains("root:") && !traversal.text.contains("NAME="),
            "{path}"
        );
    }
    // The app's sign-in configuration: the dev provider on the embedded default.
    let config = app.get("/config.json", None).await;
    assert_eq!(config.status, StatusCode::OK);
    assert_eq!(
        config.json["authority"],
        format!("{}/dev-oidc", app.base_url)
    );
    assert_eq!(config.json["client_id"], "pge-dev-client");
    assert_eq!(
        config.json["logout_url"],
        format!("{}/dev-oidc/logout", app.base_url)
    );
    assert_eq!(
        config.json["revocation_url"],
        format!("{}/dev-oidc/revoke", app.base_url)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_built_app_the_root_is_a_problem() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.get("/", None).await.assert_problem(404, "not-found");
}

/// A client that shows redirects instead of following them.
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

fn pkce() -> (String, String) {
    let verifier = URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes().repeat(2));
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

/// Signs in through the form; returns the code sent to the callback.
async fn sign_in(app: &TestApp, challenge: &str, form: &[(&str, &str)]) -> reqwest::Response {
    let redirect = format!("{}/auth/callback", app.base_url);
    let mut fields: Vec<(&str, &str)> = vec![
        ("response_type", "code"),
        ("client_id", "pge-dev-client"),
        ("redirect_uri", &redirect),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
        ("state", "st4te"),
        ("nonce", "n0nce"),
    ];
    fields.extend_from_slice(form);
    no_redirects()
        .post(format!("{}/dev-oidc/authorize", app.base_url))
        .form(&fields)
        .send()
        .await
        .expect("post")
}

fn code_of(response: &reqwest::Response) -> String {
    let location = response.headers()["location"].to_str().expect("location");
    let url = url::Url::parse(location).expect("url");
    assert_eq!(url.path(), "/auth/callback");
    let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(query["state"], "st4te");
    query["code"].clone()
}

async fn exchange(app: &TestApp, code: &str, verifier: &str) -> harness::Reply {
    let redirect = format!("{}/auth/callback", app.base_url);
    app.send(app.request(Method::POST, "/dev-oidc/token").form(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", &redirect),
        ("client_id", "pge-dev-client"),
        ("code_verifier", verifier),
    ]))
    .await
}

async fn refresh(app: &TestApp, refresh_token: &str) -> harness::Reply {
    app.send(app.request(Method::POST, "/dev-oidc/token").form(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", "pge-dev-client"),
    ]))
    .await
}

/// An error body as RFC 6749 §5.2 shapes it (what OAuth client libraries read).
fn assert_oauth_error(reply: &harness::Reply, error: &str) {
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    assert_eq!(reply.json["error"], error, "{}", reply.text);
    assert!(
        reply.json["error_description"].is_string(),
        "{}",
        reply.text
    );
    assert_eq!(reply.headers["cache-control"], "no-store");
    assert!(
        reply.headers["content-type"]
            .to_str()
            .expect("type")
            .starts_with("application/json")
    );
}

fn claims_of(token: &str) -> serde_json::Value {
    let payload = token.split('.').nth(1).expect("payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("b64")).expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dev_provider_signs_in_with_code_and_pkce() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let discovery = app
        .get("/dev-oidc/.well-known/openid-configuration", None)
        .await;
    assert_eq!(discovery.status, StatusCode::OK);
    assert_eq!(
        discovery.json["authorization_endpoint"],
        format!("{}/dev-oidc/authorize", app.base_url)
    );
    assert_eq!(
        discovery.json["code_challenge_methods_supported"][0],
        "S256"
    );
    let (verifier, challenge) = pkce();
    // The page: a form with the three roles and the banks.
    let query = format!(
        "/dev-oidc/authorize?response_type=code&client_id=pge-dev-client&redirect_uri={}&code_challenge={challenge}&code_challenge_method=S256&state=st4te",
        url::form_urlencoded::byte_serialize(format!("{}/auth/callback", app.base_url).as_bytes())
            .collect::<String>()
    );
    let page = app.get(&query, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    for needle in [
        "name=\"role\" value=\"applicant\"",
        "value=\"reviewer\"",
        "value=\"admin\"",
        "name=\"name\"",
        "<option value=\"30004\"",
    ] {
        assert!(page.text.contains(needle), "{needle}");
    }
    assert!(
        page.headers["content-security-policy"]
            .to_str()
            .expect("csp")
            .contains("default-src 'none'")
    );
    // Refused: another redirect URI, another client, no S256 challenge.
    for bad in [
        query.replace("auth%2Fcallback", "evil"),
        query.replace("pge-dev-client", "other"),
        query.replace("S256", "plain"),
    ] {
        let refused = app.get(&bad, None).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(refused.text.contains("role=\"alert\""));
    }
    // A reviewer without a valid bank gets the form again.
    let again = sign_in(
        &app,
        &challenge,
        &[
            ("role", "reviewer"),
            ("name", "Claire"),
            ("bank_id", "99999"),
        ],
    )
    .await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // An applicant: a code, single use, bound to its verifier.
    let signed_in = sign_in(
        &app,
        &challenge,
        &[("role", "applicant"), ("name", "Alice Martin")],
    )
    .await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let code = code_of(&signed_in);
    assert_oauth_error(
        &exchange(&app, &code, &"x".repeat(43)).await,
        "invalid_grant",
    );
    // The failed try used the code up.
    assert_oauth_error(&exchange(&app, &code, &verifier).await, "invalid_grant");
    let code = code_of(
        &sign_in(
            &app,
            &challenge,
            &[("role", "applicant"), ("name", "Alice Martin")],
        )
        .await,
    );
    let tokens = exchange(&app, &code, &verifier).await;
    assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.text);
    assert_eq!(tokens.headers["cache-control"], "no-store");
    assert_eq!(
        tokens.json["expires_in"], 3600,
        "PGE_DEV_TOKEN_TTL's default"
    );
    // The ID token: who signed in, for the app.
    let id_token = tokens.json["id_token"].as_str().expect("id token");
    let claims = claims_of(id_token);
    assert_eq!(claims["sub"], "Alice Martin");
    assert_eq!(claims["nonce"], "n0nce");
    assert_eq!(claims["aud"], "pge-dev-client");
    assert_eq!(claims["iss"], format!("{}/dev-oidc", app.base_url));
    assert_eq!(discovery.json["issuer"], claims["iss"]);
    assert_eq!(claims["token_use"], "id");
    // The access token, shaped as Cognito's: the API's bearer.
    let access_token = tokens.json["access_token"].as_str().expect("access token");
    let access = claims_of(access_token);
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["client_id"], "pge-dev-client");
    assert_eq!(access["sub"], "Alice Martin");
    assert_eq!(access["iss"], claims["iss"]);
    assert_eq!(access["cognito:groups"][0], "applicants");
    assert!(access.get("aud").is_none(), "{access}");
    let mine = app.get("/api/v1/loan-requests", Some(access_token)).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.text);
    app.get("/api/v1/loan-requests", Some(id_token))
        .await
        .assert_problem(401, "unauthorized");
    assert_oauth_error(&exchange(&app, &code, &verifier).await, "invalid_grant");

    // The refresh token renews the session: new tokens for the same sign-in.
    let refresh_token = tokens.json["refresh_token"]
        .as_str()
        .expect("refresh token");
    let renewed = refresh(&app, refresh_token).await;
    assert_eq!(renewed.status, StatusCode::OK, "{}", renewed.text);
    assert!(
        renewed.json.get("refresh_token").is_none(),
        "kept, as Cognito"
    );
    let renewed_access = renewed.json["access_token"].as_str().expect("access");
    assert_ne!(renewed_access, access_token);
    let again = claims_of(renewed_access);
    assert_eq!(again["sub"], "Alice Martin");
    assert_eq!(again["auth_time"], access["auth_time"]);
    let renewed_id = claims_of(renewed.json["id_token"].as_str().expect("id"));
    assert_eq!(renewed_id["auth_time"], claims["auth_time"]);
    assert!(renewed_id.get("nonce").is_none());
    let mine = app.get("/api/v1/loan-requests", Some(renewed_access)).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.text);
    // Errors as RFC 6749 §5.2 says.
    assert_oauth_error(&refresh(&app, "not-a-refresh-token").await, "invalid_grant");
    let form =
        |pairs: &[(&str, &str)]| app.send(app.request(Method::POST, "/dev-oidc/token").form(pairs));
    assert_oauth_error(
        &form(&[("grant_type", "password"), ("client_id", "pge-dev-client")]).await,
        "unsupported_grant_type",
    );
    assert_oauth_error(
        &form(&[("client_id", "pge-dev-client")]).await,
        "invalid_request",
    );
    assert_oauth_error(
        &form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", "other"),
        ])
        .await,
        "invalid_client",
    );
    // Revocation (Cognito's /oauth2/revoke): refresh tokens only; then renewal fails.
    let revoke = |token: &str, client: &str| {
        app.send(
            app.request(Method::POST, "/dev-oidc/revoke")
                .form(&[("token", token), ("client_id", client)]),
        )
    };
    assert_oauth_error(
        &revoke(access_token, "pge-dev-client").await,
        "unsupported_token_type",
    );
    assert_oauth_error(&revoke(refresh_token, "other").await, "invalid_client");
    assert_eq!(
        refresh(&app, refresh_token).await.status,
        StatusCode::OK,
        "a refused revocation revokes nothing"
    );
    let revoked = revoke(refresh_token, "pge-dev-client").await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text);
    assert_oauth_error(&refresh(&app, refresh_token).await, "invalid_grant");
    // Revoking again (or an unknown token) is not an error (RFC 7009 §2.2).
    assert_eq!(
        revoke(refresh_token, "pge-dev-client").await.status,
        StatusCode::OK
    );

    // A reviewer of a bank.
    let code = code_of(
        &sign_in(
            &app,
            &challenge,
            &[
                ("role", "reviewer"),
                ("name", "Claire"),
                ("bank_id", "30004"),
            ],
        )
        .await,
    );
    let tokens = exchange(&app, &code, &verifier).await;
    let reviewer = tokens.json["access_token"].as_str().expect("access token");
    assert_eq!(claims_of(reviewer)["custom:bank_id"], "30004");
    let queue = app
        .get("/api/v1/exports/loan-requests.csv", Some(reviewer))
        .await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.text);

    // Sign-out returns to the app only.
    let client = no_redirects();
    let out = client
        .get(format!(
            "{}/dev-oidc/logout?client_id=pge-dev-client&logout_uri={}",
            app.base_url,
            url::form_urlencoded::byte_serialize(format!("{}/", app.base_url).as_bytes())
                .collect::<String>()
        ))
        .send()
        .await
        .expect("logout");
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let away = client
        .get(format!(
            "{}/dev-oidc/logout?client_id=pge-dev-client&logout_uri=https%3A%2F%2Fevil.example%2F",
            app.base_url
        ))
        .send()
        .await
        .expect("logout");
    assert_eq!(away.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dev_providers_token_lifetime_is_configurable() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        Options {
            serve_flags: vec!["--dev-token-ttl".into(), "60".into()],
            ..Options::default()
        },
    )
    .await;
    let (verifier, challenge) = pkce();
    let code = code_of(
        &sign_in(
            &app,
            &challenge,
            &[("role", "reviewer"), ("name", "Inès"), ("bank_id", "30004")],
        )
        .await,
    );
    let tokens = exchange(&app, &code, &verifier).await;
    assert_eq!(tokens.json["expires_in"], 60, "{}", tokens.text);
    for token in ["access_token", "id_token"] {
        let claims = claims_of(tokens.json[token].as_str().expect("token"));
        let lifetime = claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat");
        assert_eq!(lifetime, 60, "{token}");
    }
    let renewed = refresh(
        &app,
        tokens.json["refresh_token"].as_str().expect("refresh"),
    )
    .await;
    assert_eq!(renewed.json["expires_in"], 60, "{}", renewed.text);
    // The discovery document names the refresh grant and the revocation endpoint.
    let discovery = app
        .get("/dev-oidc/.well-known/openid-configuration", None)
        .await;
    assert_eq!(
        discovery.json["revocation_endpoint"],
        format!("{}/dev-oidc/revoke", app.base_url)
    );
    assert_eq!(discovery.json["grant_types_supported"][1], "refresh_token");
}
