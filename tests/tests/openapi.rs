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
