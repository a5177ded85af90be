//! The README stays current: its schema table is the one `schema.rs` defines.

#[test]
fn readme_schema_table_matches_schema_rs() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(
        readme.contains(&pivotflow::schema::markdown_table()),
        "README schema table is stale: paste the output of `pivotflow schema`"
    );
}
