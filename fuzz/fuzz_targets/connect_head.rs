//! The proxy's answer to CONNECT, arriving in arbitrary pieces: never a panic, never more
//! than the 16 KiB cap held, and the bytes after the head handed on intact.
#![no_main]

use fmc_mgmt::probe::head::{HeadParser, Progress};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&split, bytes)) = data.split_first() else { return };
    let mut parser = HeadParser::new();
    let capacity = parser.capacity();
    let step = usize::from(split).max(1);
    let mut fed = 0;
    for chunk in bytes.chunks(step) {
        fed += chunk.len();
        match parser.push(chunk) {
            Ok(Progress::NeedMore) => {
                assert!(parser.buffered() <= 16 * 1024);
                assert_eq!(parser.capacity(), capacity, "the buffer never grows");
            }
            Ok(Progress::Done { head, rest }) => {
                let _ = head.status_line();
                // Everything after the head is kept, in order.
                assert!(bytes[..fed].ends_with(&rest));
                return;
            }
            Err(_) => return,
        }
    }
});
