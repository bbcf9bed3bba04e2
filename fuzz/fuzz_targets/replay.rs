//! The replay-link decoder: any code decodes to at most `MAX_ACTIONS`
//! actions or is refused with a message; what decodes encodes back to a
//! code that decodes to the same actions (the link the debrief makes).
#![no_main]

use firedrill::replay::{decode, encode, MAX_ACTIONS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(code) = std::str::from_utf8(data) else {
        return;
    };
    match decode(code) {
        Ok(actions) => {
            assert!(actions.len() <= MAX_ACTIONS);
            let again = encode(&actions);
            assert!(again.starts_with("2."));
            assert_eq!(decode(&again).as_ref(), Ok(&actions), "{again}");
        }
        Err(message) => assert!(!message.is_empty()),
    }
});
