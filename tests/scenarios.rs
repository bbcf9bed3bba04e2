use firedrill::scenario::Catalog;
#[test]
fn every_builtin_scenario_is_valid() {
    for (file, text) in Catalog::builtin_files() {
        if let Err(errors) = firedrill::scenario::parse(file, text) {
            for e in &errors {
                eprintln!("{e}");
            }
            panic!("{file} is invalid");
        }
    }
}
