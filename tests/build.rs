//! A fingerprint of the schema's migrations (`infra/src/migration/`), so that the test
//! harness clones a template database migrated by exactly these migrations: a changed or
//! added migration makes a new template, never a stale one.

use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra/src/migration");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("infra/src/migration")
        .map(|entry| entry.expect("migration entry").path())
        .collect();
    files.sort();
    // FNV-1a (64 bits) over each file's name and bytes: no dependency, stable across
    // builds and machines.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let name = file
            .file_name()
            .expect("file name")
            .as_encoded_bytes()
            .to_vec();
        let bytes = std::fs::read(file).expect("migration file");
        for byte in name.iter().chain(&[0]).chain(&bytes).chain(&[0]) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    println!("cargo:rustc-env=PGE_MIGRATIONS_FINGERPRINT={hash:016x}");
}
