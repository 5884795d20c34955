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
