//! Is this text Chinese? For the tests that check the UI does not fall back to English.

/// Whether `text` has Chinese characters.
pub fn has_cjk(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The English words in `text`: ASCII words of two or more lowercase letters, once what
/// a peer or a user wrote is set aside (what is quoted `"…"`, and a status line's reason
/// phrase: `HTTP/1.1 200 Connection established`). Technical tokens are not such words:
/// `close_notify`, `127.0.0.1:3128`, `TLSv1.3`, `ClientHello`, `CONNECT a.example:443`
/// all pass; `the proxy closed` does not.
pub fn english_words(text: &str) -> Vec<String> {
    let text = without_status_lines(text);
    let mut unquoted = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in text.chars() {
        match (quoted, escaped, c) {
            (true, false, '\\') => escaped = true,
            (true, true, _) => escaped = false,
            (_, false, '"') => quoted = !quoted,
            (false, _, c) => unquoted.push(c),
            _ => {}
        }
    }
    unquoted
        .split(|c: char| c.is_whitespace() || !c.is_ascii())
        .map(|token| token.trim_matches(|c: char| c.is_ascii_punctuation()))
        .filter(|word| word.len() >= 2 && word.bytes().all(|b| b.is_ascii_lowercase()))
        .map(str::to_owned)
        .collect()
}

/// `text` is Chinese, with no English sentence in it; `what` names it in the message.
#[track_caller]
pub fn assert_chinese(what: &str, text: &str) {
    assert!(has_cjk(text), "{what} has no Chinese: {text:?}");
    let english = english_words(text);
    assert!(
        english.is_empty(),
        "{what} has English words {english:?}: {text:?}"
    );
}

/// `text` without its HTTP status lines, each taken to run up to the next non-ASCII
/// character or `;`.
fn without_status_lines(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("HTTP/1.") {
        out.push_str(&rest[..at]);
        let line = &rest[at..];
        let is_status = line
            .as_bytes()
            .get(8..13)
            .is_some_and(|b| b[0] == b' ' && b[1..4].iter().all(u8::is_ascii_digit));
        let end = if is_status {
            line.find(|c: char| !c.is_ascii() || c == ';')
                .unwrap_or(line.len())
        } else {
            "HTTP/1.".len()
        };
        out.push(' ');
        rest = &line[end..];
    }
    out.push_str(rest);
    out
}
