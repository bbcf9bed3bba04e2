//! Result codes as the facilitator's board takes them: any text decodes to
//! a code or is refused with a message, and a code that decodes replays in
//! the core to a grade in [0, 1] or is refused with a message (an unknown
//! scenario, a drill its pack does not have, a refused action): never a
//! panic. What decodes encodes back to the same code.
#![no_main]

use firedrill::env::Env;
use firedrill::workshop::code::decode;
use firedrill::workshop::grade_code;
use firedrill::workshop::pack::builtin_packs;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match decode(text) {
        Ok(code) => {
            assert_eq!(decode(&code.encode()).as_ref(), Ok(&code));
            let packs = builtin_packs();
            let pack = packs.iter().find(|p| Some(&p.id) == code.pack.as_ref());
            match grade_code(&mut Env::new(), text, pack) {
                Ok(graded) => assert!((0.0..=1.0).contains(&graded.score)),
                Err(message) => assert!(!message.is_empty()),
            }
        }
        Err(message) => assert!(!message.is_empty()),
    }
});
