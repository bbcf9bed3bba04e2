//! The static assets of the app (`www/`), checked as files: what a browser
//! would fail on without a word.

/// A stray brace in a stylesheet makes the browser drop the rule after it
/// without a word (2026-12-07: the scenario list lost its height limit).
#[test]
fn every_stylesheet_has_balanced_braces() {
    for entry in std::fs::read_dir("www").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "css") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut depth = 0i32;
        let mut in_comment = false;
        let bytes = text.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            let next = bytes.get(i + 1).copied();
            match (in_comment, b, next) {
                (false, b'/', Some(b'*')) => in_comment = true,
                (true, b'*', Some(b'/')) => in_comment = false,
                (false, b'{', _) => depth += 1,
                (false, b'}', _) => {
                    depth -= 1;
                    let line = text[..i].matches('\n').count() + 1;
                    assert!(
                        depth >= 0,
                        "{}:{line}: a closing brace with no block open",
                        path.display()
                    );
                }
                _ => {}
            }
        }
        assert_eq!(depth, 0, "{}: {depth} blocks left open", path.display());
    }
}
