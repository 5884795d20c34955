//! Bearer tokens: every way a token can be wrong is a 401 problem+json with
//! `WWW-Authenticate: Bearer`; a valid token without a known group is a 403.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use harness::{TestApp, on_both_backends};
use infra::identity::{DEV_AUDIENCE, DEV_ISSUER};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

fn claims(app: &TestApp) -> Value {
    let now = chrono::Utc::now().timestamp();
    let _ = app;
    json!({
        "sub": "someone",
        "iss": DEV_ISSUER,
        "client_id": DEV_AUDIENCE,
        "token_use": "access",
        "scope": "openid",
        "cognito:groups": ["applicants"],
        "iat": now,
        "exp": now + 600,
    })
}

fn signed(app: &TestApp, claims: &Value) -> String {
    app.idp
        .sign_claims(&app.idp.header(), claims)
        .expect("sign")
}

async fn assert_unauthorized(app: &TestApp, authorization: Option<String>, case: &str) {
    let mut builder = app.request(reqwest::Method::GET, "/api/v1/loan-requests");
    if let Some(value) = authorization {
        builder = builder.header("authorization", value);
    }
    let reply = app.send(builder).await;
    assert_eq!(reply.status, 401, "{case}: {}", reply.text);
    reply.assert_problem(401, "unauthorized");
    let challenge = reply
        .headers
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(challenge.starts_with("Bearer"), "{case}: {challenge}");
}

async fn every_bad_token_is_rejected_with_401(app: TestApp) {
    let now = chrono::Utc::now().timestamp();
    let bearer = |t: String| Some(format!("Bearer {t}"));

    let valid = signed(&app, &claims(&app));
    let ok = app.get("/api/v1/loan-requests", Some(&valid)).await;
    assert_eq!(ok.status, 200, "{}", ok.text);

    assert_unauthorized(&app, None, "missing header").await;
    assert_unauthorized(&app, Some("Basic dXNlcjpwYXNz".into()), "basic scheme").await;
    assert_unauthorized(&app, Some("Bearer".into()), "empty bearer").await;
    assert_unauthorized(&app, bearer("garbage".into()), "garbled").await;
    assert_unauthorized(&app, bearer("a.b.c".into()), "garbled segments").await;

    let mut expired = claims(&app);
    expired["exp"] = json!(now - 120);
    assert_unauthorized(&app, bearer(signed(&app, &expired)), "expired").await;

    let mut not_yet = claims(&app);
    not_yet["nbf"] = json!(now + 600);
    assert_unauthorized(&app, bearer(signed(&app, &not_yet)), "not yet valid").await;

    let mut issuer = claims(&app);
    issuer["iss"] = json!("https://evil.example");
    assert_unauthorized(&app, bearer(signed(&app, &issuer)), "wrong issuer").await;

    // Another pool: a Cognito issuer of the same shape, signed by a key the JWKS lacks.
    let mut other_pool = claims(&app);
    other_pool["iss"] = json!("https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_other");
    assert_unauthorized(&app, bearer(signed(&app, &other_pool)), "other pool").await;

    let mut client = claims(&app);
    client["client_id"] = json!("another-client");
    assert_unauthorized(&app, bearer(signed(&app, &client)), "wrong client_id").await;

    let mut no_client = claims(&app);
    no_client
        .as_object_mut()
        .expect("object")
        .remove("client_id");
    no_client["aud"] = json!(DEV_AUDIENCE);
    assert_unauthorized(&app, bearer(signed(&app, &no_client)), "no client_id").await;

    // The ID token (for the client only), even with the right audience and groups.
    let mut id = claims(&app);
    id["token_use"] = json!("id");
    id["aud"] = json!(DEV_AUDIENCE);
    assert_unauthorized(&app, bearer(signed(&app, &id)), "ID token").await;
    let id_token = app
        .idp
        .sign_claims(
            &app.idp.header(),
            &app.idp.id_claims(
                &infra::identity::DevTokenRequest::for_role("applicant", "someone".into(), None)
                    .expect("role"),
            ),
        )
        .expect("sign");
    assert_unauthorized(&app, bearer(id_token), "the dev provider's ID token").await;

    let mut no_use = claims(&app);
    no_use.as_object_mut().expect("object").remove("token_use");
    assert_unauthorized(&app, bearer(signed(&app, &no_use)), "no token_use").await;

    let mut no_sub = claims(&app);
    no_sub.as_object_mut().expect("object").remove("sub");
    assert_unauthorized(&app, bearer(signed(&app, &no_sub)), "no subject").await;

    // alg: none
    let header = URL_SAFE_NO_PAD
        .encode(json!({"alg": "none", "typ": "JWT", "kid": app.idp.kid()}).to_string());
    let payload = URL_SAFE_NO_PAD.encode(claims(&app).to_string());
    assert_unauthorized(&app, bearer(format!("{header}.{payload}.")), "alg none").await;

    // HS256 signed with the public key as the secret (key confusion).
    let mut hs = Header::new(Algorithm::HS256);
    hs.kid = Some(app.idp.kid().to_owned());
    let confused = jsonwebtoken::encode(
        &hs,
        &claims(&app),
        &EncodingKey::from_secret(app.idp.jwks_json().as_bytes()),
    )
    .expect("hs256");
    assert_unauthorized(&app, bearer(confused), "HS256 key confusion").await;

    // Unknown kid.
    let mut unknown = app.idp.header();
    unknown.kid = Some("another-key".into());
    let token = app.idp.sign_claims(&unknown, &claims(&app)).expect("sign");
    assert_unauthorized(&app, bearer(token), "unknown kid").await;

    // Tampered payload: the signature no longer matches.
    let mut parts: Vec<String> = valid.split('.').map(str::to_owned).collect();
    let mut elevated = claims(&app);
    elevated["cognito:groups"] = json!(["admins"]);
    parts[1] = URL_SAFE_NO_PAD.encode(elevated.to_string());
    assert_unauthorized(&app, bearer(parts.join(".")), "tampered payload").await;
}

async fn valid_tokens_without_a_usable_role_are_forbidden(app: TestApp) {
    let mut no_group = claims(&app);
    no_group["cognito:groups"] = json!(["visitors"]);
    app.get("/api/v1/loan-requests", Some(&signed(&app, &no_group)))
        .await
        .assert_problem(403, "forbidden");

    let mut reviewer_without_bank = claims(&app);
    reviewer_without_bank["cognito:groups"] = json!(["bank-reviewers"]);
    app.get(
        "/api/v1/loan-requests",
        Some(&signed(&app, &reviewer_without_bank)),
    )
    .await
    .assert_problem(403, "forbidden");

    let unknown_bank = app.reviewer("rev", "99999");
    app.get("/api/v1/loan-requests", Some(&unknown_bank))
        .await
        .assert_problem(403, "forbidden");

    // A reviewer cannot submit; an applicant cannot review.
    let reviewer = app.reviewer("rev", "30004");
    app.post(
        "/api/v1/loan-requests",
        Some(&reviewer),
        &harness::submission(&harness::random_siren(), 2_000_000),
    )
    .await
    .assert_problem(403, "forbidden");
}

on_both_backends!(
    every_bad_token_is_rejected_with_401,
    valid_tokens_without_a_usable_role_are_forbidden,
);
