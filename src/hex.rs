//! Bytes as lower-case hex text and back: tokens, fingerprints, sealed secrets, stored DER.

/// `bytes` as lower-case hex, two digits a byte.
pub fn encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of hex `text` (either case); `None` for an odd length or a non-hex digit.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    // Digits only: `from_str_radix` alone would take a sign ("+1").
    if text.len() % 2 != 0 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_go_to_hex_and_back() {
        let bytes = [0u8, 1, 0x7f, 0x80, 0xfe, 0xff];
        assert_eq!(encode(&bytes), "00017f80feff");
        assert_eq!(decode("00017f80feff").as_deref(), Some(&bytes[..]));
        assert_eq!(decode("00017F80FEFF").as_deref(), Some(&bytes[..]));
        for bad in ["0", "0g", "é0", "+1"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
        assert_eq!(decode("").as_deref(), Some(&[][..]));
    }
}
