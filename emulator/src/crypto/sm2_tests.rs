//! SM2-specific checks: the GB/T 32918 encryption example on the recommended curve as a
//! known-answer test, the meaning of the SM2DSA "digest" (e = SM3(Z || M)), and interoperability
//! with OpenSSL's SM2 for both signatures and SM2PKE.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ::sm2::dsa::signature::Verifier;
use ::sm2::elliptic_curve::sec1::ToEncodedPoint;
use ::sm2::{NonZeroScalar, SecretKey};
use pkcs8::EncodePrivateKey;
use sm3::{Digest, Sm3};

use super::openssl_tests::Workspace;
use super::*;

const DISTID: &[u8] = b"1234567812345678";

/// The encryption example of the OSCCA SM2 reference material (recommended curve).
const KAT_D: &str = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8";
const KAT_PUB: &str = concat!(
    "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020",
    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"
);
const KAT_K: &str = "59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21";
const KAT_M: &[u8] = b"encryption standard";
const KAT_X1: &str = "04EBFC718E8D1798620432268E77FEB6415E2EDE0E073C0F4F640ECD2E149A73";
const KAT_Y1: &str = "E858F9D81E5430A57B36DAAB8F950A3C64E6EE6A63094D99283AFF767E124DF0";
const KAT_C3: &str = "59983C18F809E262923C53AEC295D30383B54E39D609D160AFCB1908D0BD8766";
const KAT_C2: &str = "21886CA989CA9C7D58087307CA93092D651EFA";

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

fn kat_key() -> KeyMaterial {
    let secret = SecretKey::from_slice(&unhex(KAT_D)).unwrap();
    KeyMaterial::from_bytes(secret.to_pkcs8_der().unwrap().as_bytes().to_vec())
}

#[test]
fn sm2pke_known_answer() {
    let secret = SecretKey::from_slice(&unhex(KAT_D)).unwrap();
    let public = secret.public_key();
    let point = public.to_encoded_point(false);
    assert_eq!(hex::encode_upper(&point.as_bytes()[1..]), KAT_PUB);

    let k = NonZeroScalar::try_from(&unhex(KAT_K)[..]).unwrap();
    let ours = sm2::encrypt_with_k(&public, &k, KAT_M).unwrap().unwrap();
    let mut expected = Vec::new();
    der::push_uint(&mut expected, &unhex(KAT_X1));
    der::push_uint(&mut expected, &unhex(KAT_Y1));
    der::push_tlv(&mut expected, der::TAG_OCTET_STRING, &unhex(KAT_C3));
    der::push_tlv(&mut expected, der::TAG_OCTET_STRING, &unhex(KAT_C2));
    let expected = der::sequence(&expected);
    assert_eq!(hex::encode_upper(&ours), hex::encode_upper(&expected));

    let plaintext = asym_decrypt(KeySpec::EcSm2, &kat_key(), SM2PKE, &expected).unwrap();
    assert_eq!(plaintext.as_slice(), KAT_M);
}

#[test]
fn sm2pke_rejects_structural_tampering() {
    let key = kat_key();
    let good = asym_encrypt(KeySpec::EcSm2, &key, SM2PKE, b"payload").unwrap();
    let mut trailing = good.clone();
    trailing.push(0);
    let mut truncated_c3 = Vec::new();
    {
        let mut seq = der::read_sequence(&good).unwrap();
        der::push_uint(&mut truncated_c3, seq.read_uint().unwrap());
        der::push_uint(&mut truncated_c3, seq.read_uint().unwrap());
        let c3 = seq.read(der::TAG_OCTET_STRING).unwrap();
        der::push_tlv(&mut truncated_c3, der::TAG_OCTET_STRING, &c3[..31]);
        let c2 = seq.read(der::TAG_OCTET_STRING).unwrap();
        der::push_tlv(&mut truncated_c3, der::TAG_OCTET_STRING, c2);
    }
    let truncated_c3 = der::sequence(&truncated_c3);
    // C1 = G + (1, 0) is not on the curve.
    let mut off_curve = Vec::new();
    der::push_uint(&mut off_curve, &[1]);
    der::push_uint(&mut off_curve, &[2]);
    der::push_tlv(&mut off_curve, der::TAG_OCTET_STRING, &[0; 32]);
    der::push_tlv(&mut off_curve, der::TAG_OCTET_STRING, &[0; 4]);
    let off_curve = der::sequence(&off_curve);
    for bad in [
        &trailing[..],
        &truncated_c3,
        &off_curve,
        &good[..good.len() - 1],
        &[],
    ] {
        assert_eq!(
            asym_decrypt(KeySpec::EcSm2, &key, SM2PKE, bad),
            Err(CryptoError::InvalidCiphertext)
        );
    }
    assert_eq!(
        asym_decrypt(KeySpec::EcSm2, &key, SM2PKE, &good)
            .unwrap()
            .as_slice(),
        b"payload"
    );
}

/// e = SM3(Z || M), Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA) per GB/T 32918.2.
fn sm2_e(key: &KeyMaterial, message: &[u8]) -> Vec<u8> {
    const A: &str = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC";
    const B: &str = "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93";
    const GX: &str = "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7";
    const GY: &str = "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0";
    let public = SecretKey::from_pkcs8_der_bytes(key).public_key();
    let point = public.to_encoded_point(false);
    let entl = u16::try_from(DISTID.len() * 8).unwrap().to_be_bytes();
    let z = Sm3::new()
        .chain_update(entl)
        .chain_update(DISTID)
        .chain_update(unhex(A))
        .chain_update(unhex(B))
        .chain_update(unhex(GX))
        .chain_update(unhex(GY))
        .chain_update(&point.as_bytes()[1..])
        .finalize();
    Sm3::new()
        .chain_update(z)
        .chain_update(message)
        .finalize()
        .to_vec()
}

trait FromKeyMaterial {
    fn from_pkcs8_der_bytes(key: &KeyMaterial) -> Self;
}

impl FromKeyMaterial for SecretKey {
    fn from_pkcs8_der_bytes(key: &KeyMaterial) -> Self {
        use pkcs8::DecodePrivateKey;
        SecretKey::from_pkcs8_der(key.as_bytes()).unwrap()
    }
}

/// Signing e must equal signing M with the standard user id, as the `sm2` crate's own
/// message-level verifier (which computes Z itself) confirms.
#[test]
fn sm2dsa_signs_e_of_z_and_message() {
    let key = generate(KeySpec::EcSm2).unwrap();
    let message = b"message digest";
    let e = sm2_e(&key, message);
    let signature = sign(KeySpec::EcSm2, &key, SM2DSA, &e).unwrap();

    let mut seq = der::read_sequence(&signature).unwrap();
    let r = seq.read_uint_fixed::<32>().unwrap();
    let s = seq.read_uint_fixed::<32>().unwrap();
    assert!(seq.is_empty());
    let raw = ::sm2::dsa::Signature::from_scalars(r, s).unwrap();
    let verifier = ::sm2::dsa::VerifyingKey::new(
        "1234567812345678",
        SecretKey::from_pkcs8_der_bytes(&key).public_key(),
    )
    .unwrap();
    assert!(verifier.verify(message, &raw).is_ok());
    assert!(verifier.verify(b"message digesT", &raw).is_err());
}

#[test]
fn sm2_interoperates_with_openssl() {
    let key = generate(KeySpec::EcSm2).unwrap();
    let Some(ws) = Workspace::new(KeySpec::EcSm2, &key) else {
        return;
    };
    let message = b"kmskit sm2 interop";
    ws.write("msg", message);
    let e = sm2_e(&key, message);
    let distid = format!("distid:{}", std::str::from_utf8(DISTID).unwrap());

    let ours = sign(KeySpec::EcSm2, &key, SM2DSA, &e).unwrap();
    ws.write("ours.sig", &ours);
    assert!(ws.openssl(&format!("pkeyutl -verify -pubin -inkey pub.pem -rawin -in msg -digest sm3 -sigfile ours.sig -pkeyopt {distid}")));
    assert!(ws.openssl(&format!("pkeyutl -sign -inkey priv.der -keyform DER -rawin -in msg -digest sm3 -out theirs.sig -pkeyopt {distid}")));
    assert_eq!(
        verify(KeySpec::EcSm2, &key, SM2DSA, &e, &ws.read("theirs.sig")),
        Ok(true)
    );

    assert!(ws.openssl("pkeyutl -encrypt -pubin -inkey pub.pem -in msg -out theirs.ct"));
    let plaintext = asym_decrypt(KeySpec::EcSm2, &key, SM2PKE, &ws.read("theirs.ct")).unwrap();
    assert_eq!(plaintext.as_slice(), message);

    let ours = asym_encrypt(KeySpec::EcSm2, &key, SM2PKE, message).unwrap();
    ws.write("ours.ct", &ours);
    assert!(ws.openssl("pkeyutl -decrypt -inkey priv.der -keyform DER -in ours.ct -out ours.pt"));
    assert_eq!(ws.read("ours.pt"), message);
}
