//! The UniFFI bindings generator, built from the same pinned `uniffi` as `kmskit-uniffi` so the
//! generated Kotlin and Swift always match the scaffolding compiled into the library (a version
//! skew shows up as a checksum mismatch at load time). Run it in library mode:
//! `cargo run -p uniffi-bindgen -- generate --library target/debug/libkmskit_uniffi.so
//! --language kotlin --out-dir <dir>`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
