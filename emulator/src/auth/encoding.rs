//! Form decoding and RFC 3986 encoding, the two halves of canonicalisation: the wire uses
//! `quote_plus` (space = `+`), the canonical strings use `%20`, so the server must decode first
//! and re-encode, never sign the raw bytes (§3.4).

use std::collections::BTreeMap;

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte; invalid escapes are
/// kept literally and non-UTF-8 bytes become U+FFFD (what Python's `parse_qsl` does).
pub fn parse_form(input: &[u8]) -> Vec<(String, String)> {
    input
        .split(|b| *b == b'&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (k, v) = match part.iter().position(|b| *b == b'=') {
                Some(i) => (&part[..i], &part[i + 1..]),
                None => (part, &b""[..]),
            };
            (form_decode(k), form_decode(v))
        })
        .collect()
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn form_decode(s: &[u8]) -> String {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < s.len() => match (hex_val(s[i + 1]), hex_val(s[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// RFC 3986 percent-encoding of UTF-8 (`quote(v, safe='~')`): unreserved `A-Za-z0-9-_.~` kept,
/// everything else `%XX` uppercase.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b & 15)]));
        }
    }
    out
}

/// Sorted `k=v&...` with both sides RFC 3986 encoded; a repeated key keeps its last value, as a
/// Python dict built from `parse_qsl` would.
pub fn canonical_query(pairs: &[(String, String)]) -> String {
    let sorted: BTreeMap<&str, &str> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    sorted
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_plus_and_escapes() {
        let p = parse_form(b"a=x+y%2B%7E&b=%E4%B8%AD&c&d=%zz%4");
        assert_eq!(p[0], ("a".into(), "x y+~".into()));
        assert_eq!(p[1], ("b".into(), "中".into()));
        assert_eq!(p[2], ("c".into(), "".into()));
        assert_eq!(p[3], ("d".into(), "%zz%4".into()));
    }

    #[test]
    fn encodes_rfc3986() {
        assert_eq!(percent_encode("a b+c/d~e*f%"), "a%20b%2Bc%2Fd~e%2Af%25");
    }
}
