//! Every input saved under fuzz/regressions/<target>/ (seeds, and every crash a fuzz run
//! ever found) replayed through the fuzz target's own checks, on every test run.

#[path = "../../fuzz/checks.rs"]
mod checks;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{} fails again", path.display());
        n += 1;
    }
    assert!(n > 0, "no inputs for {target}");
}

#[test]
fn saved_form_inputs_pass_the_form_checks() {
    replay("form_parse", checks::form_parse);
}

#[test]
fn saved_connect_heads_pass_the_head_checks() {
    replay("connect_head", checks::connect_head);
}

#[test]
fn saved_proxy_authenticate_values_pass_the_auth_checks() {
    replay("proxy_authenticate", checks::proxy_authenticate);
}

#[test]
fn saved_hosts_and_ports_round_trip_through_the_file() {
    replay("conf_roundtrip", checks::conf_roundtrip);
}
