//! Writes PKCS#12 files in the legacy profile of real KMS ClientKeys (reference §3.2), so clients
//! meet the same file they get from the console: HMAC-SHA1 MAC whose `iterations` field is omitted
//! (DER DEFAULT 1), the certificate bag encrypted with pbeWithSHAAnd40BitRC2-CBC and the private key
//! in a pkcs8ShroudedKeyBag under pbeWithSHAAnd3-KeyTripleDES-CBC, both with 2048 iterations. The
//! DER is written by hand: the structure is fixed, and an encoder crate would not make the omitted
//! DEFAULT any clearer.

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockEncryptMut, InnerIvInit, KeyIvInit};
use hmac::{Hmac, Mac};
use sha1::{Digest, Sha1};
use zeroize::Zeroizing;

const PBE_ITERATIONS: u32 = 2048;

// Object identifiers, DER-encoded with their tag and length.
const OID_DATA: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
];
const OID_ENCRYPTED_DATA: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x06,
];
const OID_SHA1: &[u8] = &[0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a];
const OID_PBE_SHA1_3DES: &[u8] = &[
    0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x03,
];
const OID_PBE_SHA1_RC2_40: &[u8] = &[
    0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x06,
];
const OID_SHROUDED_KEY_BAG: &[u8] = &[
    0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x02,
];
const OID_CERT_BAG: &[u8] = &[
    0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x03,
];
const OID_X509_CERT: &[u8] = &[
    0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x16, 0x01,
];
const OID_LOCAL_KEY_ID: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x15,
];

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn set(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x31, &parts.concat())
}

fn octets(b: &[u8]) -> Vec<u8> {
    tlv(0x04, b)
}

fn explicit0(inner: &[u8]) -> Vec<u8> {
    tlv(0xa0, inner)
}

fn uint(v: u32) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count().min(3);
    let mut content = bytes[skip..].to_vec();
    if content[0] & 0x80 != 0 {
        content.insert(0, 0);
    }
    tlv(0x02, &content)
}

/// The password as PKCS#12 wants it: UTF-16BE with a two-byte NUL terminator.
fn bmp_password(password: &str) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(password.len() * 2 + 2));
    for unit in password.encode_utf16() {
        out.extend_from_slice(&unit.to_be_bytes());
    }
    out.extend_from_slice(&[0, 0]);
    out
}

/// RFC 7292 appendix B.2 key derivation with SHA-1 (u = 20, v = 64). `id` 1 = key, 2 = IV, 3 = MAC.
pub fn kdf(password: &[u8], salt: &[u8], id: u8, iterations: u32, n: usize) -> Zeroizing<Vec<u8>> {
    const U: usize = 20;
    const V: usize = 64;
    let fill = |src: &[u8]| -> Vec<u8> {
        if src.is_empty() {
            return Vec::new();
        }
        let len = src.len().div_ceil(V) * V;
        src.iter().cycle().take(len).copied().collect()
    };
    let d = [id; V];
    let mut i = Zeroizing::new([fill(salt), fill(password)].concat());
    let mut out = Zeroizing::new(Vec::with_capacity(n + U));
    while out.len() < n {
        let mut a = Sha1::new().chain_update(d).chain_update(&*i).finalize();
        for _ in 1..iterations {
            a = Sha1::digest(a);
        }
        out.extend_from_slice(&a);
        let b: Vec<u8> = a.iter().cycle().take(V).copied().collect();
        for block in i.chunks_mut(V) {
            // block = (block + b + 1) mod 2^(8v), big-endian.
            let mut carry = 1u16;
            for (x, y) in block.iter_mut().rev().zip(b.iter().rev()) {
                let sum = u16::from(*x) + u16::from(*y) + carry;
                *x = sum as u8;
                carry = sum >> 8;
            }
        }
    }
    out.truncate(n);
    out
}

fn pbe_params(salt: &[u8]) -> Vec<u8> {
    seq(&[&octets(salt), &uint(PBE_ITERATIONS)])
}

fn encrypt_3des(password: &[u8], salt: &[u8], data: &[u8]) -> Vec<u8> {
    let key = kdf(password, salt, 1, PBE_ITERATIONS, 24);
    let iv = kdf(password, salt, 2, PBE_ITERATIONS, 8);
    cbc::Encryptor::<des::TdesEde3>::new(key.as_slice().into(), iv.as_slice().into())
        .encrypt_padded_vec_mut::<Pkcs7>(data)
}

fn encrypt_rc2_40(password: &[u8], salt: &[u8], data: &[u8]) -> Vec<u8> {
    let key = kdf(password, salt, 1, PBE_ITERATIONS, 5);
    let iv = kdf(password, salt, 2, PBE_ITERATIONS, 8);
    let cipher = rc2::Rc2::new_with_eff_key_len(&key, 40);
    cbc::Encryptor::<rc2::Rc2>::inner_iv_init(cipher, iv.as_slice().into())
        .encrypt_padded_vec_mut::<Pkcs7>(data)
}

/// A PKCS#12 (PFX) holding one certificate and its private key (PKCS#8 DER), both tagged with
/// localKeyId = SHA-1(certificate) as OpenSSL does, encrypted under `password`.
pub fn write(cert_der: &[u8], pkcs8_der: &[u8], password: &str) -> Vec<u8> {
    let pw = bmp_password(password);
    let key_id = Sha1::digest(cert_der);
    let attrs = set(&[&seq(&[OID_LOCAL_KEY_ID, &set(&[&octets(&key_id)])])]);

    // Certificate bag, inside an RC2-40 EncryptedData.
    let cert_bag = seq(&[
        OID_CERT_BAG,
        &explicit0(&seq(&[OID_X509_CERT, &explicit0(&octets(cert_der))])),
        &attrs,
    ]);
    let cert_safe = seq(&[&cert_bag]);
    let cert_salt = crate::crypto::random_bytes(8);
    let cert_ct = encrypt_rc2_40(&pw, &cert_salt, &cert_safe);
    let encrypted_data = seq(&[
        &uint(0),
        &seq(&[
            OID_DATA,
            &seq(&[OID_PBE_SHA1_RC2_40, &pbe_params(&cert_salt)]),
            &tlv(0x80, &cert_ct),
        ]),
    ]);
    let cert_info = seq(&[OID_ENCRYPTED_DATA, &explicit0(&encrypted_data)]);

    // Private key, shrouded with 3DES, inside plain data.
    let key_salt = crate::crypto::random_bytes(8);
    let key_ct = encrypt_3des(&pw, &key_salt, pkcs8_der);
    let epki = seq(&[
        &seq(&[OID_PBE_SHA1_3DES, &pbe_params(&key_salt)]),
        &octets(&key_ct),
    ]);
    let key_bag = seq(&[OID_SHROUDED_KEY_BAG, &explicit0(&epki), &attrs]);
    let key_safe = seq(&[&key_bag]);
    let key_info = seq(&[OID_DATA, &explicit0(&octets(&key_safe))]);

    let auth_safe = seq(&[&cert_info, &key_info]);
    let mac_salt = crate::crypto::random_bytes(8);
    // Iterations 1: the DEFAULT, hence not written into MacData.
    let mac_key = kdf(&pw, &mac_salt, 3, 1, 20);
    let mac = match Hmac::<Sha1>::new_from_slice(&mac_key) {
        Ok(m) => m.chain_update(&auth_safe).finalize().into_bytes().to_vec(),
        // HMAC takes keys of any length; this arm cannot run.
        Err(_) => Vec::new(),
    };
    let mac_data = seq(&[
        &seq(&[&seq(&[OID_SHA1, &[0x05, 0x00]]), &octets(&mac)]),
        &octets(&mac_salt),
    ]);
    seq(&[
        &uint(3),
        &seq(&[OID_DATA, &explicit0(&octets(&auth_safe))]),
        &mac_data,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths() {
        assert_eq!(tlv(0x04, &[1; 5])[..2], [0x04, 5]);
        assert_eq!(tlv(0x04, &[1; 200])[..3], [0x04, 0x81, 200]);
        assert_eq!(tlv(0x04, &[1; 300])[..4], [0x04, 0x82, 0x01, 0x2c]);
        assert_eq!(uint(2048), vec![0x02, 0x02, 0x08, 0x00]);
        assert_eq!(uint(0), vec![0x02, 0x01, 0x00]);
        assert_eq!(uint(128), vec![0x02, 0x02, 0x00, 0x80]);
    }

    #[test]
    fn bmp_password_is_utf16be_with_terminator() {
        assert_eq!(bmp_password("ab").as_slice(), &[0, b'a', 0, b'b', 0, 0]);
    }
}
