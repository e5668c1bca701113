//! Gives libkmskit.so a SONAME carrying the full version (libkmskit.so.MAJOR.MINOR.PATCH): before
//! 1.0 there is no ABI promise between versions, so a program must load exactly the library it
//! was linked against. (The header is written by scripts/gen-header, never here.)

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libkmskit.so.{version}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
