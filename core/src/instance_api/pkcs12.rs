//! The PKCS#12 profile of KMS ClientKeys, in pure Rust: PFX -> AuthenticatedSafe -> SafeContents
//! -> a `pkcs8ShroudedKeyBag` encrypted with pbeWithSHAAnd3-KeyTripleDES-CBC, keys derived with
//! the PKCS#12 KDF (RFC 7292 appendix B) from the BMPString password. The MAC (HMAC-SHA1, or
//! HMAC-SHA256) is verified first, so a wrong password is reported as such. ClientKeys omit the
//! MacData iteration count (DER DEFAULT 1), which general-purpose crates refuse; that is why this
//! reader exists. The certificate bag (RC2-40) is skipped: signing needs only the key.

use super::der::{self, oids, DerError, Reader};
use des::cipher::generic_array::GenericArray;
use des::cipher::{BlockDecrypt, KeyInit};
use ring::{digest, hmac};
use zeroize::Zeroizing;

/// Iteration counts above this are refused rather than computed (a hostile file could otherwise
/// keep a thread busy for hours); real ClientKeys use 1 and 2048.
const MAX_ITERATIONS: u32 = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pkcs12Error {
    Malformed(&'static str),
    Unsupported(&'static str),
    /// The MAC does not verify, or the key bag does not decrypt: the password is wrong.
    WrongPassword,
    NoPrivateKey,
}

impl From<DerError> for Pkcs12Error {
    fn from(e: DerError) -> Self {
        Pkcs12Error::Malformed(e.0)
    }
}

type P12Result<T> = Result<T, Pkcs12Error>;

/// The first private key in `pfx`, as PKCS#8 `PrivateKeyInfo` DER.
pub(crate) fn private_key_pkcs8(pfx: &[u8], password: &str) -> P12Result<Zeroizing<Vec<u8>>> {
    let bmp = bmp_password(password);
    let mut outer = Reader::new(pfx);
    let mut pfx = outer.sequence()?;
    if pfx.small_uint()? != 3 {
        return Err(Pkcs12Error::Unsupported("PFX version other than 3"));
    }
    // authSafe: ContentInfo of type data whose OCTET STRING holds the AuthenticatedSafe.
    let mut auth_safe = pfx.sequence()?;
    if auth_safe.oid()? != oids::DATA {
        return Err(Pkcs12Error::Unsupported("public-key integrity mode"));
    }
    let auth_safe_der = auth_safe.nested(der::CONTEXT_0)?.octet_string()?;
    if !pfx.is_empty() {
        verify_mac(&mut pfx.sequence()?, auth_safe_der, &bmp)?;
    }
    let mut safes = Reader::new(auth_safe_der).sequence()?;
    while !safes.is_empty() {
        let mut content_info = safes.sequence()?;
        let kind = content_info.oid()?;
        if kind != oids::DATA {
            // Encrypted SafeContents (the RC2-40 certificate bag in ClientKeys): not needed.
            continue;
        }
        let contents = content_info.nested(der::CONTEXT_0)?.octet_string()?;
        if let Some(key) = key_from_safe_contents(contents, &bmp)? {
            return Ok(key);
        }
    }
    Err(Pkcs12Error::NoPrivateKey)
}

fn key_from_safe_contents(contents: &[u8], bmp: &[u8]) -> P12Result<Option<Zeroizing<Vec<u8>>>> {
    let mut bags = Reader::new(contents).sequence()?;
    while !bags.is_empty() {
        let mut bag = bags.sequence()?;
        let bag_id = bag.oid()?;
        let mut value = bag.nested(der::CONTEXT_0)?;
        if bag_id == oids::KEY_BAG {
            let (tag, content) = value.any()?;
            if tag != der::SEQUENCE {
                return Err(Pkcs12Error::Malformed("keyBag"));
            }
            return Ok(Some(Zeroizing::new(reencode_sequence(content))));
        }
        if bag_id == oids::SHROUDED_KEY_BAG {
            return decrypt_shrouded_key(&mut value.sequence()?, bmp).map(Some);
        }
    }
    Ok(None)
}

fn reencode_sequence(content: &[u8]) -> Vec<u8> {
    let mut out = vec![der::SEQUENCE];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// EncryptedPrivateKeyInfo { AlgorithmIdentifier { pbe oid, { salt, iterations } }, data }.
fn decrypt_shrouded_key(epki: &mut Reader<'_>, bmp: &[u8]) -> P12Result<Zeroizing<Vec<u8>>> {
    let mut alg = epki.sequence()?;
    if alg.oid()? != oids::PBE_SHA1_3DES {
        return Err(Pkcs12Error::Unsupported(
            "key bag encryption other than pbeWithSHAAnd3-KeyTripleDES-CBC",
        ));
    }
    let mut params = alg.sequence()?;
    let salt = params.octet_string()?;
    let iterations = checked_iterations(params.small_uint()?)?;
    let data = epki.octet_string()?;
    let sha1 = &digest::SHA1_FOR_LEGACY_USE_ONLY;
    let key = kdf(sha1, bmp, salt, 1, iterations, 24);
    let iv = kdf(sha1, bmp, salt, 2, iterations, 8);
    des3_cbc_decrypt(&key, &iv, data)
}

fn verify_mac(mac_data: &mut Reader<'_>, content: &[u8], bmp: &[u8]) -> P12Result<()> {
    let mut digest_info = mac_data.sequence()?;
    let mut alg = digest_info.sequence()?;
    let (algorithm, hmac_alg) = match alg.oid()? {
        oids::SHA1 => (
            &digest::SHA1_FOR_LEGACY_USE_ONLY,
            hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        ),
        oids::SHA256 => (&digest::SHA256, hmac::HMAC_SHA256),
        _ => {
            return Err(Pkcs12Error::Unsupported(
                "MAC digest other than SHA-1/SHA-256",
            ))
        }
    };
    let expected = digest_info.octet_string()?;
    let salt = mac_data.octet_string()?;
    // iterations INTEGER DEFAULT 1: ClientKeys omit it.
    let iterations = if mac_data.is_empty() {
        1
    } else {
        checked_iterations(mac_data.small_uint()?)?
    };
    let key = kdf(algorithm, bmp, salt, 3, iterations, algorithm.output_len());
    let key = hmac::Key::new(hmac_alg, &key);
    hmac::verify(&key, content, expected).map_err(|_| Pkcs12Error::WrongPassword)
}

fn checked_iterations(n: u32) -> P12Result<u32> {
    if n == 0 || n > MAX_ITERATIONS {
        return Err(Pkcs12Error::Unsupported("iteration count out of range"));
    }
    Ok(n)
}

/// The password as a BMPString (UTF-16BE) with the two-byte terminator (RFC 7292 B.1).
fn bmp_password(password: &str) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(password.len() * 2 + 2));
    for unit in password.encode_utf16() {
        out.extend_from_slice(&unit.to_be_bytes());
    }
    out.extend_from_slice(&[0, 0]);
    out
}

/// The PKCS#12 key derivation function (RFC 7292 appendix B.2); `id` 1 = key, 2 = IV, 3 = MAC.
pub(crate) fn kdf(
    alg: &'static digest::Algorithm,
    password: &[u8],
    salt: &[u8],
    id: u8,
    iterations: u32,
    out_len: usize,
) -> Zeroizing<Vec<u8>> {
    let u = alg.output_len();
    let v = alg.block_len();
    let fill = |src: &[u8]| -> Vec<u8> {
        if src.is_empty() {
            return Vec::new();
        }
        let len = v * src.len().div_ceil(v);
        src.iter().copied().cycle().take(len).collect()
    };
    let mut i = Zeroizing::new(fill(salt));
    i.extend_from_slice(&Zeroizing::new(fill(password)));
    let d = vec![id; v];
    let mut out = Zeroizing::new(Vec::with_capacity(out_len + u));
    while out.len() < out_len {
        let mut ctx = digest::Context::new(alg);
        ctx.update(&d);
        ctx.update(&i);
        let mut a = Zeroizing::new(ctx.finish().as_ref().to_vec());
        for _ in 1..iterations {
            a = Zeroizing::new(digest::digest(alg, &a).as_ref().to_vec());
        }
        out.extend_from_slice(&a);
        if out.len() >= out_len {
            break;
        }
        // I_j = (I_j + B + 1) mod 2^(8v), with B = A repeated to v bytes.
        let b: Zeroizing<Vec<u8>> = Zeroizing::new(a.iter().copied().cycle().take(v).collect());
        for block in i.chunks_mut(v) {
            let mut carry: u16 = 1;
            for (x, y) in block.iter_mut().rev().zip(b.iter().rev()) {
                let sum = u16::from(*x) + u16::from(*y) + carry;
                *x = sum as u8;
                carry = sum >> 8;
            }
        }
    }
    out.truncate(out_len);
    out
}

fn des3_cbc_decrypt(key: &[u8], iv: &[u8], data: &[u8]) -> P12Result<Zeroizing<Vec<u8>>> {
    if data.is_empty() || !data.len().is_multiple_of(8) || iv.len() != 8 {
        return Err(Pkcs12Error::Malformed("3DES ciphertext length"));
    }
    let cipher = des::TdesEde3::new_from_slice(key)
        .map_err(|_| Pkcs12Error::Malformed("3DES key length"))?;
    let mut out = Zeroizing::new(Vec::with_capacity(data.len()));
    let mut prev = [0u8; 8];
    prev.copy_from_slice(iv);
    for chunk in data.chunks_exact(8) {
        let mut block = *GenericArray::from_slice(chunk);
        cipher.decrypt_block(&mut block);
        for (b, p) in block.iter_mut().zip(prev.iter()) {
            *b ^= p;
        }
        out.extend_from_slice(&block);
        prev.copy_from_slice(chunk);
    }
    // PKCS#7 padding; a wrong key almost always breaks it.
    let pad = usize::from(*out.last().unwrap_or(&0));
    if pad == 0
        || pad > 8
        || out[out.len() - pad..]
            .iter()
            .any(|&b| usize::from(b) != pad)
    {
        return Err(Pkcs12Error::WrongPassword);
    }
    let keep = out.len() - pad;
    out.truncate(keep);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7292 has no vectors; these are the classic "smeg"/"queeg" inputs, answers checked with
    // `openssl kdf ... -kdfopt hexpass:<BMPString> ... PKCS12KDF` (OpenSSL 3).
    #[test]
    fn kdf_known_answers() {
        let pw = bmp_password("smeg");
        let salt = [0x0A, 0x58, 0xCF, 0x64, 0x53, 0x0D, 0x82, 0x3F];
        let key = kdf(&digest::SHA1_FOR_LEGACY_USE_ONLY, &pw, &salt, 1, 1, 24);
        assert_eq!(
            hex(&key),
            "8aaae6297b6cb04642ab5b077851284eb7128f1a2a7fbca3"
        );
        let iv = kdf(&digest::SHA1_FOR_LEGACY_USE_ONLY, &pw, &salt, 2, 1, 8);
        assert_eq!(hex(&iv), "79993dfe048d3b76");
        let salt = [0x16, 0x82, 0xC0, 0xFC, 0x5B, 0x3F, 0x7E, 0xC5];
        let pw = bmp_password("queeg");
        let key = kdf(&digest::SHA1_FOR_LEGACY_USE_ONLY, &pw, &salt, 1, 1000, 24);
        assert_eq!(
            hex(&key),
            "483dd6e919d7de2e8e648ba8f862f3fbfbdc2bcb2c02957f"
        );
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for input in [&b""[..], b"\x30", b"\x30\x03\x02\x01\x03", &[0xff; 64]] {
            assert!(private_key_pkcs8(input, "pw").is_err());
        }
    }
}
