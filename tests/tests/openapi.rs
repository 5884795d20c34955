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

/// The document's `ProblemType` and `FieldCode` enums.
fn closed_lists() -> (
    std::collections::BTreeSet<String>,
    std::collections::BTreeSet<String>,
) {
    let document: serde_json::Value =
        serde_json::from_str(&api::routes::openapi().to_json().expect("render")).expect("json");
    let list = |name: &str| {
        document["components"]["schemas"][name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("schema {name} is an enum"))
            .iter()
            .map(|v| v.as_str().expect("string").to_owned())
            .collect::<std::collections::BTreeSet<_>>()
    };
    (list("ProblemType"), list("FieldCode"))
}

/// The document lists exactly the problem types and field codes of the code's closed
/// enums, with the problem's `type` and a field error's `code` pointing at them.
#[test]
fn documented_closed_lists_are_the_code_s() {
    let (problem_types, field_codes) = closed_lists();
    let kinds: std::collections::BTreeSet<String> = api::problem::ProblemType::ALL
        .iter()
        .map(|k| format!("/problems/{}", k.slug()))
        .collect();
    assert_eq!(problem_types, kinds);
    assert_eq!(
        kinds.len(),
        api::problem::ProblemType::ALL.len(),
        "no slug twice"
    );
    let codes: std::collections::BTreeSet<String> = domain::error::FieldCode::ALL
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    assert_eq!(field_codes, codes);
    assert_eq!(
        codes.len(),
        domain::error::FieldCode::ALL.len(),
        "no code twice"
    );
    // Each kind keeps its status and title wherever it is raised.
    for kind in api::problem::ProblemType::ALL {
        let problem = api::problem::Problem::new(kind, "x");
        assert_eq!(problem.details().status, kind.status().as_u16());
        assert_eq!(
            problem.details().type_,
            format!("/problems/{}", kind.slug())
        );
    }
    let document: serde_json::Value =
        serde_json::from_str(&api::routes::openapi().to_json().expect("render")).expect("json");
    let schemas = &document["components"]["schemas"];
    assert_eq!(
        schemas["Problem"]["properties"]["type"]["$ref"],
        "#/components/schemas/ProblemType"
    );
    assert_eq!(
        schemas["FieldProblem"]["properties"]["code"]["$ref"],
        "#/components/schemas/FieldCode"
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
    let (problem_types, field_codes) = closed_lists();
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
                        // A problem's type and field codes come from the closed lists.
                        if let Ok(problem) = serde_json::from_str::<serde_json::Value>(&text)
                            && let Some(kind) = problem["type"].as_str()
                        {
                            if !problem_types.contains(kind) {
                                undocumented.push(format!("{method} {path}: problem type {kind}"));
                            }
                            for error in problem["errors"].as_array().into_iter().flatten() {
                                let code = error["code"].as_str().unwrap_or_default();
                                if !field_codes.contains(code) {
                                    undocumented
                                        .push(format!("{method} {path}: field code {code}"));
                                }
                            }
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
