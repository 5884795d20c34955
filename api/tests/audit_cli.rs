//! `pge audit verify` and `pge audit heads` on a fresh embedded database: they connect,
//! walk and print (the chains' verification itself is tested over HTTP on both
//! databases, `tests/tests/audit_chain.rs`).

use std::process::Command;

#[test]
fn the_audit_commands_walk_a_fresh_database() {
    let dir = std::env::temp_dir().join(format!("pge-audit-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let pge = env!("CARGO_BIN_EXE_pge");
    let run = |args: &[&str]| {
        Command::new(pge)
            .args(args)
            .env_clear()
            .env("PGE_DATA_DIR", &dir)
            .output()
            .expect("pge")
    };
    let migrated = run(&["migrate"]);
    assert!(migrated.status.success(), "{migrated:?}");
    let verified = run(&["audit", "verify"]);
    assert!(verified.status.success(), "{verified:?}");
    assert_eq!(
        String::from_utf8_lossy(&verified.stdout),
        "0 chains, 0 events written before the chain\n"
    );
    let heads = run(&["audit", "heads"]);
    assert!(heads.status.success(), "{heads:?}");
    assert!(heads.stdout.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}
