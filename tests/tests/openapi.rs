//! The committed OpenAPI document is the one the code generates.

#[test]
fn committed_openapi_matches_the_code() {
    let generated = api::routes::openapi().to_pretty_json().expect("render");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
    if std::env::var_os("PGE_UPDATE_OPENAPI").is_some() {
        std::fs::write(path, format!("{generated}\n")).expect("write openapi.json");
    }
    let committed = std::fs::read_to_string(path).expect("openapi/openapi.json is committed");
    assert_eq!(
        committed.trim_end(),
        generated.trim_end(),
        "openapi/openapi.json is stale: run `PGE_UPDATE_OPENAPI=1 cargo test -p pge-tests --test openapi`"
    );
}

/// Every `$ref` of the document names a schema it defines.
#[test]
fn every_schema_reference_resolves() {
    let document = serde_json::to_value(api::routes::openapi()).expect("render");
    let defined = document["components"]["schemas"]
        .as_object()
        .expect("schemas");
    let mut stack = vec![&document];
    let mut dangling = Vec::new();
    while let Some(value) = stack.pop() {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(target) = map.get("$ref").and_then(serde_json::Value::as_str) {
                    let name = target.trim_start_matches("#/components/schemas/");
                    if !defined.contains_key(name) {
                        dangling.push(target.to_owned());
                    }
                }
                stack.extend(map.values());
            }
            serde_json::Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    assert!(dangling.is_empty(), "undefined schemas: {dangling:?}");
}

/// A generated client meets no status the document does not list: every documented
/// operation is called by every kind of caller, with the bodies and path segments a
/// client can get wrong (none, not JSON, malformed, empty object, oversized, an unknown
/// or undecodable id), and each answer's status must be one its operation documents.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_answer_has_an_undocumented_status() {
    use harness::{Backend, TestApp, random_siren, submission};
    use reqwest::Method;

    let app = TestApp::spawn(Backend::Sqlite).await;
    let owner = app.applicant("documented-owner");
    let created = app
        .submit(&owner, &submission(&random_siren(), 2_000_000))
        .await;
    let id = created["id"].as_str().expect("id").to_owned();
    let document = serde_json::to_value(api::routes::openapi()).expect("render");
    let callers = [
        None,
        Some("not.a.token".to_owned()),
        Some(owner),
        Some(app.reviewer("documented-reviewer", "30004")),
        Some(app.admin()),
    ];
    let oversized = format!("{{\"x\": \"{}\"}}", "a".repeat(70 * 1024));
    let bodies: [Option<(&str, String)>; 6] = [
        None,
        Some(("text/plain", "hello".to_owned())),
        Some(("application/json", "{".to_owned())),
        Some(("application/json", "{}".to_owned())),
        Some(("application/json", "[1, null]".to_owned())),
        Some(("application/json", oversized)),
    ];
    let mut undocumented = Vec::new();
    let mut calls = 0;
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("item") {
            let Ok(method) = Method::from_bytes(method.to_uppercase().as_bytes()) else {
                continue;
            };
            let Some(responses) = operation["responses"].as_object() else {
                continue;
            };
            let ids = if path.contains('{') {
                vec![
                    id.clone(),
                    uuid::Uuid::new_v4().to_string(),
                    "%FF".to_owned(),
                ]
            } else {
                vec![String::new()]
            };
            for segment in &ids {
                let url = path
                    .replace(
                        "{id}",
                        if path.starts_with("/api/v1/banks/") {
                            "30004"
                        } else {
                            segment
                        },
                    )
                    .replace("{document_id}", segment);
                for caller in &callers {
                    for body in &bodies {
                        let mut request = app.request(method.clone(), &url);
                        if let Some(token) = caller {
                            request = request.bearer_auth(token);
                        }
                        if let Some((content_type, text)) = body {
                            request = request
                                .header("content-type", *content_type)
                                .body(text.clone());
                        }
                        // An oversized body is refused from its length before it is
                        // read: the connection may close before the client has sent it.
                        let Ok(reply) = request.send().await else {
                            continue;
                        };
                        calls += 1;
                        let status = reply.status().as_u16().to_string();
                        let text = reply.text().await.unwrap_or_default();
                        if !responses.contains_key(&status) && !responses.contains_key("default") {
                            undocumented.push(format!(
                                "{method} {path} ({url}) answered {status}: {}",
                                text.chars().take(200).collect::<String>()
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(calls > 500, "only {calls} calls");
    undocumented.sort();
    undocumented.dedup();
    assert!(
        undocumented.is_empty(),
        "{} undocumented answers:\n{}",
        undocumented.len(),
        undocumented.join("\n")
    );
}
