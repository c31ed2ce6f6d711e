//! `cargo run -p uniffi-bindgen -- generate --library <libproofshot> --language kotlin|swift|python`
fn main() {
    uniffi::uniffi_bindgen_main()
}
