//! The two percent-encodings the KMS protocol mixes: RFC 3986 (canonical strings; space is
//! `%20`) and HTML-form encoding (the wire query and form bodies; space is `+`). Both keep only
//! `A-Z a-z 0-9 - _ . ~` and write everything else as uppercase `%XX` of its UTF-8 bytes, exactly
//! like Python's `quote(v, safe="~")` and `quote_plus(v)`.

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

#[inline]
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Appends `s` percent-encoded per RFC 3986 (space as `%20`).
pub fn rfc3986_into(s: &str, out: &mut String) {
    encode_into(s, out, false)
}

/// Appends `s` form-encoded (space as `+`).
pub fn form_into(s: &str, out: &mut String) {
    encode_into(s, out, true)
}

pub fn rfc3986(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    rfc3986_into(s, &mut out);
    out
}

pub fn form(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    form_into(s, &mut out);
    out
}

fn encode_into(s: &str, out: &mut String, plus_for_space: bool) {
    out.reserve(s.len());
    for &b in s.as_bytes() {
        if is_unreserved(b) {
            out.push(b as char);
        } else if b == b' ' && plus_for_space {
            out.push('+');
        } else {
            out.push('%');
            out.push(HEX_UPPER[(b >> 4) as usize] as char);
            out.push(HEX_UPPER[(b & 0xf) as usize] as char);
        }
    }
}

/// `k=v&k=v` form encoding of pairs in the given order.
pub fn form_pairs(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    form_pairs_into(
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        &mut out,
    );
    out
}

/// Appends `k=v&k=v` form encoding of pairs in the given order.
pub fn form_pairs_into<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>, out: &mut String) {
    for (i, (k, v)) in pairs.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        form_into(k, out);
        out.push('=');
        form_into(v, out);
    }
}

/// Lowercase hex.
pub fn hex_lower(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(HEX_LOWER[(b >> 4) as usize] as char);
        out.push(HEX_LOWER[(b & 0xf) as usize] as char);
    }
    out
}

/// Decodes a form-encoded string (`+` is space, `%XX` a byte). Invalid escapes are kept
/// literally; invalid UTF-8 is replaced. Used by tests and diagnostics, never by a signer.
pub fn form_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hi = (b[i + 1] as char).to_digit(16);
                let lo = (b[i + 2] as char).to_digit(16);
                match (hi, lo) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_python_quote_and_quote_plus() {
        // Expected values computed with urllib.parse.quote(v, safe="~") and quote_plus(v).
        let v = "a b+c/d~e*f%g=h&i?j#k!l'm(n)o:p@q;r,s$t[u]v\né中文🔐\t";
        assert_eq!(
            rfc3986(v),
            "a%20b%2Bc%2Fd~e%2Af%25g%3Dh%26i%3Fj%23k%21l%27m%28n%29o%3Ap%40q%3Br%2Cs%24t%5Bu%5Dv%0A%C3%A9%E4%B8%AD%E6%96%87%F0%9F%94%90%09"
        );
        assert_eq!(
            form(v),
            "a+b%2Bc%2Fd~e%2Af%25g%3Dh%26i%3Fj%23k%21l%27m%28n%29o%3Ap%40q%3Br%2Cs%24t%5Bu%5Dv%0A%C3%A9%E4%B8%AD%E6%96%87%F0%9F%94%90%09"
        );
        assert_eq!(rfc3986(""), "");
        assert_eq!(rfc3986("AZaz09-_.~"), "AZaz09-_.~");
    }

    #[test]
    fn form_decode_inverts_form() {
        let v = "a b+c%2/é🔐";
        assert_eq!(form_decode(&form(v)), v);
        assert_eq!(form_decode("%zz+%4"), "%zz %4");
    }
}
