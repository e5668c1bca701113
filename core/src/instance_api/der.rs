//! A minimal DER reader, enough for PKCS#12, PKCS#8 and PEM-wrapped RSA keys. It reads definite
//! lengths only, single-byte tags only, and never panics: every malformed input is an `Err`.

/// Universal tags used here.
pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const NULL: u8 = 0x05;
pub(crate) const OID: u8 = 0x06;
pub(crate) const SEQUENCE: u8 = 0x30;
/// `[0]` constructed (EXPLICIT context tag 0).
pub(crate) const CONTEXT_0: u8 = 0xa0;

/// Why a structure could not be read; deliberately content-free (inputs may be secret).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DerError(pub &'static str);

pub(crate) type DerResult<T> = Result<T, DerError>;

/// A cursor over DER bytes.
#[derive(Clone, Copy)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The tag of the next element, if any.
    pub fn peek_tag(&self) -> Option<u8> {
        self.data.first().copied()
    }

    /// Reads one element: its tag and its content bytes.
    pub fn any(&mut self) -> DerResult<(u8, &'a [u8])> {
        let (&tag, rest) = self.data.split_first().ok_or(DerError("truncated"))?;
        if tag & 0x1f == 0x1f {
            return Err(DerError("multi-byte tags are not supported"));
        }
        let (&first, mut rest) = rest.split_first().ok_or(DerError("truncated length"))?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 {
                return Err(DerError("indefinite lengths are not supported"));
            }
            if n > 4 || rest.len() < n {
                return Err(DerError("bad length"));
            }
            let mut len = 0usize;
            for &b in &rest[..n] {
                len = (len << 8) | usize::from(b);
            }
            rest = &rest[n..];
            len
        };
        if rest.len() < len {
            return Err(DerError("truncated content"));
        }
        let (content, tail) = rest.split_at(len);
        self.data = tail;
        Ok((tag, content))
    }

    /// Reads one element that must carry `tag`.
    pub fn expect(&mut self, tag: u8) -> DerResult<&'a [u8]> {
        match self.any()? {
            (t, content) if t == tag => Ok(content),
            _ => Err(DerError("unexpected element")),
        }
    }

    /// Reads a constructed element with `tag` and returns a reader over its content.
    pub fn nested(&mut self, tag: u8) -> DerResult<Reader<'a>> {
        self.expect(tag).map(Reader::new)
    }

    pub fn sequence(&mut self) -> DerResult<Reader<'a>> {
        self.nested(SEQUENCE)
    }

    pub fn oid(&mut self) -> DerResult<&'a [u8]> {
        self.expect(OID)
    }

    pub fn octet_string(&mut self) -> DerResult<&'a [u8]> {
        self.expect(OCTET_STRING)
    }

    /// A non-negative INTEGER that fits in a u32 (versions, iteration counts).
    pub fn small_uint(&mut self) -> DerResult<u32> {
        let bytes = self.expect(INTEGER)?;
        if bytes.is_empty() || bytes[0] & 0x80 != 0 {
            return Err(DerError("negative or empty integer"));
        }
        let bytes = match bytes {
            [0, rest @ ..] => rest,
            b => b,
        };
        if bytes.len() > 4 {
            return Err(DerError("integer too large"));
        }
        Ok(bytes.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)))
    }

    /// Skips the next element when it has `tag`; returns its content then.
    pub fn optional(&mut self, tag: u8) -> DerResult<Option<&'a [u8]>> {
        if self.peek_tag() == Some(tag) {
            self.expect(tag).map(Some)
        } else {
            Ok(None)
        }
    }
}

/// Object identifiers used by PKCS#12 and PKCS#8, as DER content bytes.
pub(crate) mod oids {
    /// 1.2.840.113549.1.7.1 pkcs7-data
    pub const DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
    /// 1.2.840.113549.1.12.10.1.1 keyBag
    pub const KEY_BAG: &[u8] = &[
        0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x01,
    ];
    /// 1.2.840.113549.1.12.10.1.2 pkcs8ShroudedKeyBag
    pub const SHROUDED_KEY_BAG: &[u8] = &[
        0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x02,
    ];
    /// 1.2.840.113549.1.12.1.3 pbeWithSHAAnd3-KeyTripleDES-CBC
    pub const PBE_SHA1_3DES: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x03];
    /// 1.3.14.3.2.26 sha1
    pub const SHA1: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x1a];
    /// 2.16.840.1.101.3.4.2.1 sha256
    pub const SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
    /// 1.2.840.113549.1.1.1 rsaEncryption
    pub const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_short_and_long_lengths_and_refuses_garbage() {
        let mut r = Reader::new(&[0x04, 0x02, 0xaa, 0xbb, 0x02, 0x01, 0x05]);
        assert_eq!(r.octet_string().unwrap(), &[0xaa, 0xbb]);
        assert_eq!(r.small_uint().unwrap(), 5);
        assert!(r.is_empty());
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend(std::iter::repeat_n(7, 0x80));
        assert_eq!(Reader::new(&long).octet_string().unwrap().len(), 0x80);
        for bad in [
            &[0x04][..],
            &[0x04, 0x05, 1],
            &[0x04, 0x80],
            &[0x04, 0x85, 1, 1, 1, 1, 1],
            &[0x1f, 0x01, 0x00],
            &[0x02, 0x01, 0xff],
        ] {
            let mut r = Reader::new(bad);
            assert!(r.octet_string().is_err() || Reader::new(bad).small_uint().is_err());
        }
    }
}
