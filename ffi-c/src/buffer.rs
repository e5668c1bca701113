//! `kmskit_buffer`: every string or byte string kmskit hands to C. Rust-owned, freed only by
//! `kmskit_buffer_free` (never by C `free`), wiped on free because it may hold a plaintext, a
//! data key or a secret value. The bytes are followed by a NUL that `len` does not count, so a
//! text buffer is also a C string.

use crate::boundary::{free_box, or_default};
use std::ptr;
use zeroize::Zeroizing;

/// Bytes owned by kmskit: read with kmskit_buffer_data / kmskit_buffer_len, free with
/// kmskit_buffer_free (the memory is zeroed then).
pub struct kmskit_buffer {
    /// The bytes plus one trailing NUL.
    bytes: Zeroizing<Vec<u8>>,
}

impl kmskit_buffer {
    pub(crate) fn new(data: &[u8]) -> Self {
        let mut bytes = Zeroizing::new(Vec::with_capacity(data.len() + 1));
        bytes.extend_from_slice(data);
        bytes.push(0);
        kmskit_buffer { bytes }
    }
}

/// The buffer's bytes, followed by a NUL that kmskit_buffer_len does not count (text can be
/// used as a C string). Valid until kmskit_buffer_free(buf). NULL when `buf` is NULL.
///
/// # Safety
/// `buf` is NULL or a live buffer.
#[no_mangle]
pub unsafe extern "C" fn kmskit_buffer_data(buf: *const kmskit_buffer) -> *const u8 {
    // SAFETY: per the contract above.
    match unsafe { buf.as_ref() } {
        Some(b) => or_default(ptr::null(), || b.bytes.as_ptr()),
        None => ptr::null(),
    }
}

/// The number of bytes in the buffer (the trailing NUL not counted); 0 when `buf` is NULL.
///
/// # Safety
/// `buf` is NULL or a live buffer.
#[no_mangle]
pub unsafe extern "C" fn kmskit_buffer_len(buf: *const kmskit_buffer) -> usize {
    // SAFETY: per the contract above.
    match unsafe { buf.as_ref() } {
        Some(b) => or_default(0, || b.bytes.len().saturating_sub(1)),
        None => 0,
    }
}

/// Zeroes and frees a buffer. NULL is a no-op.
///
/// # Safety
/// `buf` is NULL or a buffer from this library not freed yet.
#[no_mangle]
pub unsafe extern "C" fn kmskit_buffer_free(buf: *mut kmskit_buffer) {
    // SAFETY: per the contract above.
    or_default((), || unsafe { free_box(buf) })
}
