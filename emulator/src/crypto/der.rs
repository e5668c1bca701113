//! Just enough DER for the two SM2 wire shapes (GM/T 0009): the signature SEQUENCE { r, s } and the
//! ciphertext SEQUENCE { x1, y1, C3, C2 }. Both are flat sequences of INTEGERs and OCTET STRINGs,
//! which is far less than a general ASN.1 library; the reader is strict (definite, minimal
//! lengths, no trailing bytes) because these bytes arrive from untrusted callers.

pub(super) const TAG_INTEGER: u8 = 0x02;
pub(super) const TAG_OCTET_STRING: u8 = 0x04;
pub(super) const TAG_SEQUENCE: u8 = 0x30;

/// Malformed DER; callers map it to their own error (invalid ciphertext, bad signature).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct DerError;

fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
        return;
    }
    let bytes = len.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    out.push(0x80 | (bytes.len() - skip) as u8);
    out.extend_from_slice(&bytes[skip..]);
}

pub(super) fn push_tlv(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
    out.push(tag);
    push_len(out, content.len());
    out.extend_from_slice(content);
}

/// Encodes a big-endian unsigned magnitude as a non-negative, minimally encoded INTEGER.
pub(super) fn push_uint(out: &mut Vec<u8>, magnitude: &[u8]) {
    let skip = magnitude.iter().take_while(|b| **b == 0).count();
    let trimmed = &magnitude[skip..];
    let mut content = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(trimmed);
    push_tlv(out, TAG_INTEGER, &content);
}

pub(super) fn sequence(content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    push_tlv(&mut out, TAG_SEQUENCE, content);
    out
}

pub(super) struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(super) fn new(data: &'a [u8]) -> Self {
        Reader { data }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DerError> {
        if n > self.data.len() {
            return Err(DerError);
        }
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        Ok(head)
    }

    fn byte(&mut self) -> Result<u8, DerError> {
        Ok(self.take(1)?[0])
    }

    /// Reads one element with the given tag and returns its contents.
    pub(super) fn read(&mut self, tag: u8) -> Result<&'a [u8], DerError> {
        if self.byte()? != tag {
            return Err(DerError);
        }
        let first = self.byte()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7f);
            // 0x80 is BER's indefinite form; more than 4 length bytes is never legitimate here.
            if count == 0 || count > 4 {
                return Err(DerError);
            }
            let mut len = 0usize;
            for b in self.take(count)? {
                len = (len << 8) | usize::from(*b);
            }
            // DER demands the shortest form: no leading zero byte, no long form below 128.
            if len < 0x80 || len >> (8 * (count - 1)) == 0 {
                return Err(DerError);
            }
            len
        };
        self.take(len)
    }

    /// Reads a non-negative INTEGER and returns its magnitude without sign padding.
    pub(super) fn read_uint(&mut self) -> Result<&'a [u8], DerError> {
        let content = self.read(TAG_INTEGER)?;
        match content {
            [] => Err(DerError),
            [first, ..] if first & 0x80 != 0 => Err(DerError),
            [0, next, ..] if next & 0x80 == 0 => Err(DerError),
            [0, rest @ ..] => Ok(rest),
            _ => Ok(content),
        }
    }

    /// Reads a non-negative INTEGER into a fixed-width big-endian buffer.
    pub(super) fn read_uint_fixed<const N: usize>(&mut self) -> Result<[u8; N], DerError> {
        let magnitude = self.read_uint()?;
        if magnitude.len() > N {
            return Err(DerError);
        }
        let mut out = [0u8; N];
        out[N - magnitude.len()..].copy_from_slice(magnitude);
        Ok(out)
    }
}

/// Opens a top-level SEQUENCE that must span the whole input.
pub(super) fn read_sequence(data: &[u8]) -> Result<Reader<'_>, DerError> {
    let mut outer = Reader::new(data);
    let content = outer.read(TAG_SEQUENCE)?;
    if !outer.is_empty() {
        return Err(DerError);
    }
    Ok(Reader::new(content))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_minimal_and_non_negative() {
        let mut out = Vec::new();
        push_uint(&mut out, &[0, 0, 0x7f]);
        push_uint(&mut out, &[0x80, 1]);
        push_uint(&mut out, &[0, 0]);
        assert_eq!(out, [2, 1, 0x7f, 2, 3, 0, 0x80, 1, 2, 1, 0]);
        let mut r = Reader::new(&out);
        assert_eq!(r.read_uint().unwrap(), [0x7f]);
        assert_eq!(r.read_uint_fixed::<4>().unwrap(), [0, 0, 0x80, 1]);
        assert_eq!(r.read_uint().unwrap(), [] as [u8; 0]);
        assert!(r.is_empty());
    }

    #[test]
    fn long_lengths_round_trip() {
        let content = vec![7u8; 300];
        let seq = sequence(&content);
        assert_eq!(&seq[..4], &[0x30, 0x82, 0x01, 0x2c]);
        let mut r = read_sequence(&seq).unwrap();
        assert_eq!(r.take(300).unwrap(), &content[..]);
    }

    #[test]
    fn rejects_non_der() {
        // negative, padded, non-minimal long length, indefinite length, trailing bytes, truncated
        for bad in [
            &[0x02, 0x01, 0x80][..],
            &[0x02, 0x02, 0x00, 0x01],
            &[0x02, 0x81, 0x01, 0x01],
            &[0x02, 0x80, 0x01, 0x00, 0x00],
            &[0x02, 0x00],
            &[0x02, 0x02, 0x01],
        ] {
            assert_eq!(Reader::new(bad).read_uint(), Err(DerError), "{bad:02x?}");
        }
        assert!(read_sequence(&[0x30, 0x00, 0x00]).is_err());
        assert!(read_sequence(&[0x31, 0x00]).is_err());
    }
}
